"""The nightly job: great-expectations gate, publishing (files, diff, shrink guard, atomicity), summary.

Most tests run on small hand-made frames and a hand-made DuckDB file (no dbt, seconds); one test runs
the whole job with dbt on the demo warehouse.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from rich.console import Console

from setup_journeys import DEMO_AS_OF, PROJECT_DIR
from setup_journeys import publish as publish_module
from setup_journeys.checks import EXPORT_REQUIRED_COLUMNS, run_checks
from setup_journeys.vocabulary import load as load_vocabulary
from setup_journeys.nightly import (
    DuckDBReader,
    NightlyFailure,
    max_export_shrink_percent,
    resolve_as_of,
    run_nightly,
)
from setup_journeys.publish import ExportShrinkRefused, check_shrink, publish_export

AS_OF = datetime(2026, 3, 10, 12, 0, 0)
TS = pd.Timestamp
JOURNEY_STEPS = load_vocabulary().step_names


# ---------------------------------------------------------------- fake marts


def export_row(key: str, step: str, **overrides: Any) -> dict[str, Any]:
    internal = step == "internal_cs_alert"
    row = {
        "sync_key": key,
        "account_id": "acc_1",
        "integration_type": "salesforce",
        "journey_step": step,
        "reminder_number": 1 if step == "stalled_setup_help" else None,
        "recipient_user_id": None if internal else "usr_1",
        "recipient_email": None if internal else "ana@example.com",
        "channel": "internal" if internal else "email",
        "due_at": TS("2026-03-10 09:00:00"),
        "expires_at": TS("2026-03-13 09:00:00"),
        "template_id": f"tmpl_{step}",
        "priority": JOURNEY_STEPS.index(step) + 1,
        "workspace_name": "Acme",
        "integration_display_name": "Salesforce",
        "error_code": None,
        "error_class": None,
        "as_of": TS(AS_OF),
    }
    row.update(overrides)
    return row


def make_export(count: int = 12, as_of: datetime = AS_OF) -> pd.DataFrame:
    """count rows cycling through the six steps; keys k00..k{count-1}."""
    rows = [export_row(f"k{index:02d}", JOURNEY_STEPS[index % 6], as_of=TS(as_of)) for index in range(count)]
    frame = pd.DataFrame(rows, columns=list(EXPORT_REQUIRED_COLUMNS))
    return frame.astype({"reminder_number": "Int32", "priority": "Int32"})


def make_marts() -> dict[str, pd.DataFrame]:
    return {
        "export_journey_due": make_export(),
        "journey_suppressions": pd.DataFrame(
            [
                {"sync_key": "s1", "account_id": "acc_1", "integration_type": "hubspot",
                 "journey_step": "stalled_setup_help", "reminder_number": 2, "recipient_user_id": "usr_1",
                 "suppression_reason": "superseded"},
                {"sync_key": "s2", "account_id": "acc_2", "integration_type": "slack",
                 "journey_step": "setup_started_confirmation", "reminder_number": None,
                 "recipient_user_id": "usr_2", "suppression_reason": "consent"},
                {"sync_key": "s3", "account_id": "acc_3", "integration_type": "slack",
                 "journey_step": "setup_started_confirmation", "reminder_number": None,
                 "recipient_user_id": "usr_3", "suppression_reason": "consent"},
            ]
        ).astype({"reminder_number": "Int32"}),
        "account_integration_state": pd.DataFrame(
            [
                {"account_id": "acc_1", "integration_type": "salesforce", "status": "completed",
                 "started_at": TS("2026-03-01"), "completed_at": TS("2026-03-02")},
                {"account_id": "acc_1", "integration_type": "hubspot", "status": "blocked",
                 "started_at": TS("2026-03-01"), "completed_at": pd.NaT},
            ]
        ),
        "account_setup_state": pd.DataFrame(
            [{"account_id": "acc_1", "setup_stage": "completed"}, {"account_id": "acc_9", "setup_stage": "not_started"}]
        ),
        "friction_segments": pd.DataFrame(
            [
                {"account_id": "acc_1", "integration_type": "hubspot", "segment": "repeated_errors",
                 "entered_at": TS("2026-03-05")},
                {"account_id": "acc_2", "integration_type": "hubspot", "segment": "repeated_errors",
                 "entered_at": TS("2026-03-05")},
                {"account_id": "acc_1", "integration_type": "hubspot", "segment": "abandoned",
                 "entered_at": TS("2026-03-08")},
            ]
        ),
        "setup_funnel": pd.DataFrame(
            [{"step_number": 1, "setups_started": 10, "setups_reached": 10, "conversion_from_start": 1.0},
             {"step_number": 2, "setups_started": 10, "setups_reached": 4, "conversion_from_start": 0.4}]
        ),
    }


def write_marts(path: Path, marts: dict[str, pd.DataFrame]) -> None:
    with duckdb.connect(str(path)) as con:
        for table, frame in marts.items():
            con.register("frame", frame)
            con.execute(f"create or replace table main.{table} as select * from frame")
            con.unregister("frame")


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under a folder (following the `current` symlink), by relative path."""
    directory = directory.resolve()
    return {str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}


def ran_nodes(target_path: Path) -> set[str]:
    """The nodes the last dbt invocation with this target folder ran (its run_results.json)."""
    return {result["unique_id"] for result in json.loads((target_path / "run_results.json").read_text())["results"]}


def failure_set(result) -> set[tuple[str, str, str | None]]:
    return {(failure.table, failure.expectation, failure.column) for failure in result.failures}


# ---------------------------------------------------------------- checks


def test_checks_pass_on_good_frames() -> None:
    result = run_checks(make_marts(), as_of=AS_OF, export_columns=list(EXPORT_REQUIRED_COLUMNS))
    assert result.success, result.describe()
    assert result.rows_checked["export_journey_due"] == 12
    assert result.expectations_run > 40


def test_checks_name_each_failed_expectation_and_table() -> None:
    marts = make_marts()
    export = marts["export_journey_due"]
    export.loc[1, "sync_key"] = "k00"  # duplicate key
    export.loc[2, "recipient_user_id"] = None  # user-facing row without a recipient (admin_escalation)
    export.loc[3, "due_at"] = TS("2026-03-10 12:00:01")  # due after as_of
    export.loc[4, "reminder_number"] = 4  # stalled help reminder out of 1..3
    export.loc[5, "recipient_user_id"] = None  # internal alert without recipient: allowed
    marts["journey_suppressions"].loc[0, "suppression_reason"] = "bored"
    state = marts["account_integration_state"]
    state.loc[0, "completed_at"] = TS("2026-02-28")  # completed before it started
    state.loc[1, "integration_type"] = "salesforce"  # duplicate setup
    marts["account_setup_state"].loc[1, "setup_stage"] = "done"
    marts["friction_segments"].loc[2, "segment"] = "sad"
    del marts["setup_funnel"]

    result = run_checks(marts, as_of=AS_OF, export_columns=list(EXPORT_REQUIRED_COLUMNS))

    assert not result.success
    assert failure_set(result) == {
        ("export_journey_due", "expect_column_values_to_be_unique", "sync_key"),
        ("export_journey_due", "expect_column_values_to_not_be_null", "recipient_user_id"),
        ("export_journey_due", "expect_column_values_to_be_between", "due_at"),
        ("export_journey_due", "expect_column_values_to_be_between", "reminder_number"),
        ("journey_suppressions", "expect_column_values_to_be_in_set", "suppression_reason"),
        ("account_integration_state", "expect_compound_columns_to_be_unique", "account_id, integration_type"),
        ("account_integration_state", "expect_column_pair_values_a_to_be_greater_than_b", "completed_at, started_at"),
        ("account_setup_state", "expect_column_values_to_be_in_set", "setup_stage"),
        ("friction_segments", "expect_column_values_to_be_in_set", "segment"),
        ("setup_funnel", "table_exists", None),
    }
    duplicate = next(failure for failure in result.failures if failure.column == "sync_key")
    assert duplicate.unexpected_count == 2 and duplicate.sample[:2] == ["k00", "k00"]
    assert "export_journey_due.sync_key: expect_column_values_to_be_unique 2 unexpected" in result.describe()


def test_checks_fix_the_export_columns_and_the_step_channel_pairing() -> None:
    marts = make_marts()
    export = marts["export_journey_due"]
    export.loc[0, "channel"] = "internal"  # user-facing step on the internal channel
    export.loc[0, "reminder_number"] = None  # setup_success_handoff: null, fine
    export.loc[6, "reminder_number"] = 2  # setup_success_handoff with a reminder number
    marts["export_journey_due"] = export[[*EXPORT_REQUIRED_COLUMNS[1:], "sync_key"]]  # key moved last
    result = run_checks(marts, as_of=AS_OF, export_columns=list(EXPORT_REQUIRED_COLUMNS))
    assert failure_set(result) == {
        ("export_journey_due", "expect_table_columns_to_match_ordered_list", None),
        ("export_journey_due", "expect_column_values_to_be_in_set", "channel"),
        ("export_journey_due", "expect_column_values_to_be_null", "reminder_number"),
    }


# ---------------------------------------------------------------- publishing


def test_first_publish_writes_every_step_file_and_a_manifest(tmp_path: Path) -> None:
    export = make_export(9)  # steps 1-3 twice, steps 4-6 once
    result = publish_export(export, tmp_path, as_of=AS_OF, max_shrink_percent=50)

    current = tmp_path / "current"
    assert current.is_symlink() and current.resolve() == (tmp_path / "runs" / result.run_id).resolve()
    expected_files = {f"{step}{suffix}" for step in JOURNEY_STEPS for suffix in (".csv", ".parquet")} | {
        "export.parquet", "diff_added.csv", "diff_changed.csv", "diff_removed.csv", "manifest.json",
    }
    assert {path.name for path in current.iterdir()} == expected_files
    assert result.rows_by_step == {
        "setup_success_handoff": 2, "repeated_failure_troubleshooting": 2, "admin_escalation": 2,
        "setup_started_confirmation": 1, "stalled_setup_help": 1, "internal_cs_alert": 1,
    }
    assert (result.diff.added, result.diff.changed, result.diff.removed) == (9, 0, 0)
    manifest = json.loads((current / "manifest.json").read_text())
    assert manifest["as_of"] == "2026-03-10 12:00:00"
    assert manifest["row_count"] == 9 and manifest["sync_key_count"] == 9
    assert manifest["previous_row_count"] is None and manifest["primary_key"] == "sync_key"
    assert manifest["rows_by_step"]["admin_escalation"] == 2
    assert [column["name"] for column in manifest["columns"]] == list(EXPORT_REQUIRED_COLUMNS)

    admin = pd.read_csv(current / "admin_escalation.csv")
    assert admin["sync_key"].tolist() == ["k02", "k08"]
    assert list(admin.columns) == list(EXPORT_REQUIRED_COLUMNS)
    stalled = pd.read_parquet(current / "stalled_setup_help.parquet")
    assert stalled[["sync_key", "reminder_number"]].to_dict("records") == [{"sync_key": "k04", "reminder_number": 1}]
    assert len(pd.read_parquet(current / "export.parquet")) == 9


def test_empty_step_keeps_its_files_header_and_column_types(tmp_path: Path) -> None:
    export = make_export(3)  # no stalled help, no internal alert
    publish_export(export, tmp_path, as_of=AS_OF, max_shrink_percent=50)
    current = tmp_path / "current"
    assert (current / "internal_cs_alert.csv").read_text().strip() == ",".join(EXPORT_REQUIRED_COLUMNS)
    empty = current / "internal_cs_alert.parquet"
    types = {row[0]: row[1] for row in duckdb.sql(f"describe select * from read_parquet('{empty}')").fetchall()}
    assert types["due_at"].startswith("TIMESTAMP") and types["priority"] == "INTEGER"
    assert duckdb.sql(f"select count(*) from read_parquet('{empty}')").fetchall() == [(0,)]


def test_diff_against_the_last_published_run(tmp_path: Path) -> None:
    first = make_export(12)
    publish_export(first, tmp_path, as_of=AS_OF, max_shrink_percent=50)
    before = snapshot(tmp_path / "current")

    # The same export again: an empty diff and byte-identical step files.
    again = publish_export(first, tmp_path, as_of=AS_OF, max_shrink_percent=50)
    assert again.diff.is_empty and again.previous_row_count == 12
    after = snapshot(tmp_path / "current")
    data_files = [name for name in before if not name.startswith(("diff_", "manifest"))]
    assert len(data_files) == 13
    assert all(after[name] == before[name] for name in data_files)

    # Same messages a day later: only as_of moves, which is not a change for the sync tool.
    same = make_export(12, as_of=datetime(2026, 3, 11, 12))
    result = publish_export(same, tmp_path, as_of=datetime(2026, 3, 11, 12), max_shrink_percent=50)
    assert result.diff.is_empty
    assert len(pd.read_csv(tmp_path / "current" / "diff_changed.csv")) == 0

    # One row changes its due_at, one is gone, one is new.
    changed = same.copy()
    changed.loc[changed["sync_key"] == "k03", "due_at"] = TS("2026-03-10 10:30:00")
    changed.loc[changed["sync_key"] == "k05", "error_code"] = "oauth_denied"
    changed = changed[changed["sync_key"] != "k07"]
    changed = pd.concat([changed, make_export(13).iloc[[12]]], ignore_index=True)
    result = publish_export(changed, tmp_path, as_of=datetime(2026, 3, 11, 12), max_shrink_percent=50)
    assert (result.diff.added, result.diff.changed, result.diff.removed) == (1, 2, 1)
    current = tmp_path / "current"
    assert pd.read_csv(current / "diff_added.csv")["sync_key"].tolist() == ["k12"]
    assert pd.read_csv(current / "diff_removed.csv")["sync_key"].tolist() == ["k07"]
    diff_changed = pd.read_csv(current / "diff_changed.csv")
    assert diff_changed[["sync_key", "changed_columns"]].to_dict("records") == [
        {"sync_key": "k03", "changed_columns": "due_at"},
        {"sync_key": "k05", "changed_columns": "error_code"},
    ]
    manifest = json.loads((current / "manifest.json").read_text())
    assert manifest["diff"] == {"added": 1, "changed": 2, "removed": 1}
    assert len(list((tmp_path / "runs").iterdir())) == 4


def test_shrink_guard_threshold_and_force() -> None:
    check_shrink(None, 0, 50, force=False)  # first run: nothing to shrink from
    check_shrink(10, 5, 50, force=False)  # exactly 50% fewer: allowed
    with pytest.raises(ExportShrinkRefused) as refused:
        check_shrink(10, 4, 50, force=False)
    message = str(refused.value)
    assert "from 10 to 4 rows (60.0% fewer)" in message
    assert "50% allowed by the var max_export_shrink_percent" in message
    assert "rerun with --force if this is expected" in message
    check_shrink(10, 0, 50, force=True)
    with pytest.raises(ExportShrinkRefused):
        check_shrink(10, 0, 100 - 1e-9, force=False)
    check_shrink(10, 0, 100, force=False)  # 100 disables the guard


def test_refused_shrink_writes_nothing_and_force_publishes(tmp_path: Path) -> None:
    publish_export(make_export(10), tmp_path, as_of=AS_OF, max_shrink_percent=50)
    before = snapshot(tmp_path)
    with pytest.raises(ExportShrinkRefused):
        publish_export(make_export(4), tmp_path, as_of=AS_OF, max_shrink_percent=50)
    assert snapshot(tmp_path) == before
    forced = publish_export(make_export(4), tmp_path, as_of=AS_OF, max_shrink_percent=50, force=True)
    assert forced.forced and forced.diff.removed == 6 and forced.manifest["forced"] is True


def test_failure_while_writing_leaves_current_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    publish_export(make_export(6), tmp_path, as_of=AS_OF, max_shrink_percent=50)
    before = snapshot(tmp_path / "current")
    real_copy = publish_module._copy
    written: list[str] = []

    def copy_then_fail(con, query, path):
        written.append(path.name)
        if path.name == "stalled_setup_help.csv":
            raise OSError("disk full")
        real_copy(con, query, path)

    monkeypatch.setattr(publish_module, "_copy", copy_then_fail)
    with pytest.raises(OSError, match="disk full"):
        publish_export(make_export(8), tmp_path, as_of=AS_OF, max_shrink_percent=50)
    assert len(written) > 3  # it failed part-way through, not before starting
    assert snapshot(tmp_path / "current") == before
    assert [path.name for path in (tmp_path / "runs").iterdir()] == [(tmp_path / "current").resolve().name]


# ---------------------------------------------------------------- the job without dbt


@pytest.fixture()
def fake_warehouse(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "marts.duckdb"
    write_marts(path, make_marts())
    yield path


def run_fake(path: Path, publish_dir: Path, **kwargs: Any):
    console = Console(record=True, width=120)
    result = run_nightly(
        as_of="2026-03-10 12:00:00",
        publish_dir=publish_dir,
        build=False,
        reader=DuckDBReader(path),
        console=console,
        target_path=path.parent / "no_target",
        **kwargs,
    )
    # White space folded: the console wraps at 120 columns, and where a line breaks depends on the
    # length of the temporary path it prints (a short --basetemp moved "forced past the shrink
    # guard" across a line break).
    return result, " ".join(console.export_text().split())


def test_nightly_without_build_checks_publishes_and_summarises(fake_warehouse: Path, tmp_path: Path) -> None:
    publish_dir = tmp_path / "publish"
    result, output = run_fake(fake_warehouse, publish_dir)
    assert result.publish.row_count == 12
    assert result.suppressions_by_reason == {"consent": 2, "superseded": 1}
    assert result.largest_segments == [("repeated_errors", 2), ("abandoned", 1)]
    assert "setup_success_handoff" in output and "consent" in output and "repeated_errors" in output
    assert "12 added, 0 changed, 0 removed keys" in output
    assert (publish_dir / "current" / "manifest.json").exists()

    # A failed check (a duplicate key) publishes nothing: current stays byte-for-byte the same.
    before = snapshot(publish_dir)
    marts = make_marts()
    marts["export_journey_due"].loc[1, "sync_key"] = "k00"
    write_marts(fake_warehouse, marts)
    with pytest.raises(NightlyFailure) as failed:
        run_fake(fake_warehouse, publish_dir)
    assert failed.value.stage == "checks" and "sync_key" in str(failed.value)
    assert snapshot(publish_dir) == before

    # A shrink past the threshold is refused unless forced.
    marts = make_marts()
    marts["export_journey_due"] = make_export(5)
    write_marts(fake_warehouse, marts)
    with pytest.raises(NightlyFailure) as refused:
        run_fake(fake_warehouse, publish_dir)
    assert refused.value.stage == "shrink" and "from 12 to 5 rows" in str(refused.value)
    assert snapshot(publish_dir) == before
    forced, output = run_fake(fake_warehouse, publish_dir, force=True)
    assert forced.publish.diff.removed == 7 and "forced past the shrink guard" in output


def test_as_of_and_threshold_settings() -> None:
    assert resolve_as_of("2026-03-10") == datetime(2026, 3, 10)
    assert resolve_as_of("2026-03-10T12:00:00Z") == datetime(2026, 3, 10, 12)
    assert resolve_as_of(None).microsecond == 0
    with pytest.raises(NightlyFailure, match="--as-of must be a UTC timestamp"):
        resolve_as_of("10/03/2026")
    assert max_export_shrink_percent() == 50  # dbt_project.yml's default
    assert max_export_shrink_percent(20) == 20
    with pytest.raises(NightlyFailure, match="from 0 to 100"):
        max_export_shrink_percent(150)


# ---------------------------------------------------------------- the whole job on the demo warehouse


JOURNEY_MODELS = ("export_journey_due", "journey_suppressions", "friction_segments", "setup_funnel")
MISSING_MODELS = [name for name in JOURNEY_MODELS if not list((PROJECT_DIR / "models").rglob(f"{name}.sql"))]


@pytest.mark.skipif(bool(MISSING_MODELS), reason=f"models not on this branch yet: {', '.join(MISSING_MODELS)}")
def test_nightly_end_to_end_on_the_demo(demo_warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A copy of the demo warehouse: the job rebuilds it, and the session fixture stays as it was.
    warehouse = tmp_path / "nightly.duckdb"
    shutil.copyfile(demo_warehouse.path, warehouse)
    monkeypatch.setenv("DUCKDB_PATH", str(warehouse))
    publish_dir = tmp_path / "publish"
    target_path = tmp_path / "target"
    console = Console(record=True, width=120)

    first = run_nightly(as_of=DEMO_AS_OF, publish_dir=publish_dir, target_path=target_path, console=console)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        export_rows = con.execute("select count(*) from main.export_journey_due").fetchall()[0][0]
    assert first.publish.row_count == export_rows > 0
    assert first.publish.diff.added == export_rows
    assert sum(first.rows_by_step.values()) == export_rows
    current = publish_dir / "current"
    assert all((current / f"{step}.csv").exists() and (current / f"{step}.parquet").exists() for step in JOURNEY_STEPS)
    assert "Messages due by journey step" in console.export_text()
    first_nodes = ran_nodes(target_path)

    # The next night, same code: the seeds and the tests that read only seeds are skipped; every test
    # that reads a model runs, including the ones that join a model to a seed.
    rebuilt = run_nightly(as_of=DEMO_AS_OF, publish_dir=publish_dir, target_path=target_path,
                          console=Console(quiet=True))
    assert rebuilt.publish.diff.is_empty
    nodes = json.loads((target_path / "manifest.json").read_text())["nodes"]
    seeds = {key for key, node in nodes.items() if node["resource_type"] == "seed"}
    tests = {key: set(node["depends_on"]["nodes"]) for key, node in nodes.items() if node["resource_type"] == "test"}
    seed_only = {key for key, parents in tests.items() if parents <= seeds}
    joins_a_seed = {key for key, parents in tests.items() if parents & seeds and not parents <= seeds}
    assert seeds and seed_only and joins_a_seed
    assert seeds | seed_only <= first_nodes
    second_nodes = ran_nodes(target_path)
    assert not second_nodes & (seeds | seed_only)
    assert joins_a_seed | (set(tests) - seed_only) <= second_nodes

    # Identical data again (no rebuild needed: same raw data, same as_of): an empty diff.
    second = run_nightly(as_of=DEMO_AS_OF, publish_dir=publish_dir, target_path=target_path, build=False,
                         console=Console(quiet=True))
    assert second.publish.diff.is_empty

    # A failing check leaves current byte-for-byte untouched and raises NightlyFailure.
    before = snapshot(publish_dir)
    vocabulary = load_vocabulary()
    only_handoff = dataclasses.replace(vocabulary, journey_steps=vocabulary.journey_steps[:1])
    monkeypatch.setattr("setup_journeys.checks.load_vocabulary", lambda: only_handoff)
    with pytest.raises(NightlyFailure) as failed:
        run_nightly(as_of=DEMO_AS_OF, publish_dir=publish_dir, target_path=target_path, build=False,
                    console=Console(quiet=True))
    assert failed.value.stage == "checks"
    assert snapshot(publish_dir) == before
    monkeypatch.undo()
    monkeypatch.setenv("DUCKDB_PATH", str(warehouse))

    # A shrink beyond the threshold (here: any shrink at all, threshold 0) is refused unless forced:
    # pretend the last run published one more row than the export has now.
    previous = pd.read_parquet(current / "export.parquet")
    extra = previous.iloc[[0]].assign(sync_key="no_longer_due")
    pd.concat([previous, extra]).to_parquet(current / "export.parquet", index=False)
    before = snapshot(publish_dir)
    with pytest.raises(NightlyFailure) as refused:
        run_nightly(as_of=DEMO_AS_OF, publish_dir=publish_dir, target_path=target_path, build=False,
                    shrink_percent=0, console=Console(quiet=True))
    assert refused.value.stage == "shrink"
    assert snapshot(publish_dir) == before
    forced = run_nightly(as_of=DEMO_AS_OF, publish_dir=publish_dir, target_path=target_path, build=False,
                         shrink_percent=0, force=True, console=Console(quiet=True))
    assert (forced.publish.diff.removed, forced.publish.diff.added) == (1, 0)


def test_failed_build_publishes_nothing_and_the_cli_exits_non_zero(
    fake_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from setup_journeys import nightly
    from setup_journeys.cli import app
    from setup_journeys.dbt_runner import DbtError

    publish_dir = tmp_path / "publish"
    run_fake(fake_warehouse, publish_dir)
    before = snapshot(publish_dir)

    def failing_dbt(args, **kwargs):
        raise DbtError("dbt build failed: unique_export_journey_due_sync_key: Got 2 results")

    monkeypatch.setattr(nightly, "run_dbt", failing_dbt)
    monkeypatch.setattr(nightly, "reader_for_target", lambda target: DuckDBReader(fake_warehouse))
    outcome = CliRunner().invoke(
        app, ["nightly", "--as-of", "2026-03-10 12:00:00", "--publish-dir", str(publish_dir)]
    )
    assert outcome.exit_code == 1
    assert "Nightly run failed, nothing published: the dbt build failed" in outcome.output
    assert "unique_export_journey_due_sync_key" in outcome.output
    assert snapshot(publish_dir) == before
