"""Python settings come from one place: the dbt vars (dbt_project.yml, then --vars), and one as_of contract.

The as_of grammar has two implementations: settings.py for the command line and the Jinja macro
`timestamp_var` (macros/validation/settings.sql) for dbt. Here both parse the same examples, and must
accept, reject and read them alike.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from dbt.cli.main import dbtRunner

from setup_journeys import PROJECT_DIR, settings
from setup_journeys.dbt_runner import as_of_environment, close_duckdb_file, vars_arg
from setup_journeys.nightly import NightlyFailure, max_export_shrink_percent, resolve_as_of

ACCEPTED = {
    "2026-03-10 12:00:00": datetime(2026, 3, 10, 12),
    "2026-03-10T12:00:05": datetime(2026, 3, 10, 12, 0, 5),
    "2026-03-10T12:00:00Z": datetime(2026, 3, 10, 12),
    "2026-03-10 12:30": datetime(2026, 3, 10, 12, 30),
    "2026-03-10": datetime(2026, 3, 10),
    " 2024-02-29 23:59:59 ": datetime(2024, 2, 29, 23, 59, 59),
}
REJECTED = ["10/03/2026", "2026-3-10", "2026-02-30", "2026-03-10 24:00:00", "yesterday", "2026-03-10T12:00:00+01:00"]
# A YAML timestamp in --vars arrives as a datetime on both sides.
YAML_VARS = "{as_of: 2026-03-10 12:00:00}"
MEANS_NOW = [None, "", "now", "NOW", "none", "null"]


def _compile(inline: str, target_path: Path, vars_text: str | None = None,
             event_names: list[str] | None = None) -> tuple[bool, str]:
    """`dbt compile --inline`: (success, the compiled SQL or dbt's error messages); event_names
    collects the names of dbt's events."""
    messages: list[str] = []
    names = event_names if event_names is not None else []

    def collect(event) -> None:
        messages.append(event.info.msg)
        names.append(event.info.name)

    args = ["compile", "--inline", inline, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(target_path), "--quiet"]
    args += ["--vars", vars_text] if vars_text else []
    try:
        result = dbtRunner(callbacks=[collect]).invoke(args)
    finally:
        close_duckdb_file()  # dbt-duckdb keeps the file open after an in-process run (keep_open)
    if result.success:
        return True, result.result.results[0].node.compiled_code.strip()
    return False, "\n".join(messages)


@pytest.fixture(scope="module")
def jinja(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module) -> dict[str, tuple[bool, str]]:
    """What the macro makes of each example (one dbt invocation for all accepted ones, one per rejection)."""
    target = tmp_path_factory.mktemp("settings_target")
    monkeypatch_module.setenv("DUCKDB_PATH", str(target / "settings.duckdb"))
    loop = "{% for text in " + json.dumps(list(ACCEPTED)) + " %}{{ timestamp_var('as_of', text, '') }}|{% endfor %}"
    ok, output = _compile(loop, target)
    assert ok, output
    outcomes = dict(zip(ACCEPTED, ((True, value) for value in output.split("|")[:-1])))
    for text in REJECTED:
        outcomes[text] = _compile("{{ timestamp_var('as_of', " + json.dumps(text) + ", '') }}", target)
    outcomes[YAML_VARS] = _compile("{{ as_of_literal() }}", target, YAML_VARS)
    outcomes["null"] = _compile("{{ as_of_literal() }}", target, '{as_of: "null"}')
    return outcomes


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_python_and_the_macro_accept_the_same_timestamps(jinja) -> None:
    for text, expected in ACCEPTED.items():
        assert settings.parse_as_of(text) == expected, text
        assert jinja[text] == (True, str(expected)), text


def test_python_and_the_macro_reject_the_same_timestamps(jinja) -> None:
    for text in REJECTED:
        with pytest.raises(settings.SettingError, match="must be a UTC timestamp"):
            settings.parse_as_of(text)
        ok, messages = jinja[text]
        assert not ok and "must be a UTC timestamp" in messages, (text, messages)


def test_yaml_timestamps_and_now_read_alike(jinja) -> None:
    parsed = settings.parse_as_of(settings.parse_vars(YAML_VARS)["as_of"])
    assert parsed == datetime(2026, 3, 10, 12)
    assert jinja[YAML_VARS] == (True, f"cast('{parsed:%Y-%m-%d %H:%M:%S}' as timestamp)")
    for text in MEANS_NOW:
        assert settings.parse_as_of(text) is None, text
    assert jinja["null"][0]  # the macro reads 'null' as the run's start too
    assert resolve_as_of("null").microsecond == 0


def test_the_environment_pins_as_of_and_keeps_dbts_saved_parse(tmp_path: Path, monkeypatch) -> None:
    """The commands pin as_of in SETUP_JOURNEYS_AS_OF, not --vars: a new as_of each night must not
    make dbt parse the whole project again (a changed --vars does), and the var still wins."""
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "settings.duckdb"))
    target = tmp_path / "target"
    nights = []
    for as_of in ("2026-03-10 12:00:00", "2026-03-11 12:00:00"):
        names: list[str] = []
        with as_of_environment(as_of):
            nights.append((_compile("{{ as_of_literal() }}", target, event_names=names), names))
    (first, first_events), (second, second_events) = nights
    assert first == (True, "cast('2026-03-10 12:00:00' as timestamp)")
    assert second == (True, "cast('2026-03-11 12:00:00' as timestamp)")
    assert "UnableToPartialParse" in first_events  # nothing saved yet
    assert "UnableToPartialParse" not in second_events and "PartialParsingEnabled" in second_events

    with as_of_environment("yesterday"):
        ok, messages = _compile("{{ as_of_literal() }}", target)
    assert not ok
    assert "Var 'as_of' (from the environment variable SETUP_JOURNEYS_AS_OF) must be a UTC timestamp" in messages
    assert "Set it like SETUP_JOURNEYS_AS_OF='2026-03-10 12:00:00'" in messages

    with as_of_environment("2026-01-01 00:00:00"):
        assert _compile("{{ as_of_literal() }}", target, '{as_of: "2026-03-12 00:00:00"}') == (
            True, "cast('2026-03-12 00:00:00' as timestamp)")


def test_run_dbt_passes_as_of_in_the_environment_only_for_its_invocation(monkeypatch) -> None:
    assert vars_arg({"as_of": "2026-03-10 12:00:00", "holdout_percent": 5}) == ["--vars", '{"holdout_percent": 5}']
    assert vars_arg({"as_of": "2026-03-10 12:00:00"}) == []
    monkeypatch.setenv(settings.AS_OF_ENV, "2026-01-01 00:00:00")
    with as_of_environment("2026-03-10 12:00:00"):
        assert os.environ[settings.AS_OF_ENV] == "2026-03-10 12:00:00"
    assert os.environ[settings.AS_OF_ENV] == "2026-01-01 00:00:00"
    with as_of_environment(None):  # no as_of: the run's start, whatever the shell had
        assert settings.AS_OF_ENV not in os.environ
    assert os.environ[settings.AS_OF_ENV] == "2026-01-01 00:00:00"


def test_vars_resolve_like_dbt_and_reach_the_shrink_threshold() -> None:
    assert settings.project_vars()["max_export_shrink_percent"] == 50
    assert settings.parse_vars("{max_export_shrink_percent: 80}") == {"max_export_shrink_percent": 80}
    assert settings.resolve_vars({"holdout_percent": 5})["holdout_percent"] == 5
    assert max_export_shrink_percent(cli_vars=settings.parse_vars('{max_export_shrink_percent: "80"}')) == 80
    assert max_export_shrink_percent(20, cli_vars={"max_export_shrink_percent": 80}) == 20  # the option wins
    with pytest.raises(NightlyFailure, match="from 0 to 100"):
        max_export_shrink_percent(cli_vars={"max_export_shrink_percent": "lots"})
    with pytest.raises(settings.SettingError, match="YAML mapping"):
        settings.parse_vars("[1, 2]")


def test_python_reads_dbt_project_yml_only_in_settings() -> None:
    """The file name as a string literal in code (not prose in a docstring) means a second reader."""
    readers = [path.name for path in (PROJECT_DIR / "src").rglob("*.py")
               if re.search(r"[\"']dbt_project\.yml[\"']", path.read_text())]
    assert readers == ["settings.py"]


def test_the_cli_passes_vars_to_the_nightly_job(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from setup_journeys import nightly
    from setup_journeys.cli import app

    seen: dict = {}
    monkeypatch.setattr(nightly, "run_nightly", lambda **kwargs: seen.update(kwargs) or SimpleNamespace(report_error=None))
    outcome = CliRunner().invoke(app, ["nightly", "--skip-build", "--vars", "{max_export_shrink_percent: 80}"])
    assert outcome.exit_code == 0, outcome.output
    assert seen["cli_vars"] == {"max_export_shrink_percent": 80}
    outcome = CliRunner().invoke(app, ["nightly", "--vars", "[not, a, mapping]"])
    assert outcome.exit_code == 1 and "Nightly run failed, nothing published: --vars must be a YAML mapping" in outcome.output
