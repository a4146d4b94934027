"""When the nightly build skips the seeds (seed_state.py): every condition that makes it load them again.

No dbt here: hand-made manifests and project folders. test_nightly's end-to-end test shows the skip
on a real build (which nodes ran on the second night).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from setup_journeys import PROJECT_DIR
from setup_journeys.manifest import Relation
from setup_journeys.seed_state import (
    MANIFEST_FILE,
    RECORD_FILE,
    SKIP_SEEDS_ARGS,
    current_record,
    forget_build_state,
    keep_build_state,
    seed_fingerprint,
    seed_skip_args,
    state_dir,
)

SEEDS = ("plan_tiers", "user_roles")


def write_manifest(target_path: Path, seeds: tuple[str, ...] = SEEDS) -> None:
    nodes = {f"seed.p.{name}": {"name": name, "resource_type": "seed", "relation_name": f'"db"."config"."{name}"',
                                "database": "db"} for name in seeds}
    nodes["model.p.m"] = {"name": "m", "resource_type": "model", "relation_name": '"db"."main"."m"'}
    target_path.mkdir(parents=True, exist_ok=True)
    (target_path / MANIFEST_FILE).write_text(json.dumps({"metadata": {"adapter_type": "duckdb"}, "nodes": nodes}))


def record(fingerprint: str = "abc", path: str = "/w/a.duckdb") -> dict[str, object]:
    return {"target": "duckdb", "warehouse": {"DUCKDB_PATH": path}, "fingerprint": fingerprint}


def everything_exists(relation: Relation) -> bool:
    return True


def test_skips_after_a_kept_build_of_the_same_record_and_checks_every_seed(tmp_path: Path) -> None:
    write_manifest(tmp_path)
    keep_build_state(tmp_path, record())
    assert json.loads((state_dir(tmp_path) / RECORD_FILE).read_text()) == record()
    checked: list[str] = []

    def exists(relation: Relation) -> bool:
        checked.append(relation.name)
        return True

    assert seed_skip_args(tmp_path, record(), exists) == SKIP_SEEDS_ARGS
    assert sorted(checked) == ['"db"."config"."plan_tiers"', '"db"."config"."user_roles"']


@pytest.mark.parametrize(
    "night",
    [
        pytest.param(record(fingerprint="changed"), id="the code changed"),
        pytest.param(record(path="/w/other.duckdb"), id="another warehouse"),
        pytest.param({**record(), "target": "postgres"}, id="another target"),
    ],
)
def test_loads_every_seed_when_the_record_differs(tmp_path: Path, night: dict[str, object]) -> None:
    write_manifest(tmp_path)
    keep_build_state(tmp_path, record())
    assert seed_skip_args(tmp_path, night, everything_exists) == []


def test_loads_every_seed_when_one_is_missing_from_the_warehouse(tmp_path: Path) -> None:
    write_manifest(tmp_path)
    keep_build_state(tmp_path, record())
    assert seed_skip_args(tmp_path, record(), lambda relation: "user_roles" not in relation.name) == []


def test_loads_every_seed_without_a_whole_record(tmp_path: Path) -> None:
    assert seed_skip_args(tmp_path, record(), everything_exists) == []  # never kept
    write_manifest(tmp_path)
    keep_build_state(tmp_path, record())
    (state_dir(tmp_path) / MANIFEST_FILE).unlink()  # a record without its manifest
    assert seed_skip_args(tmp_path, record(), everything_exists) == []
    keep_build_state(tmp_path, record())
    (state_dir(tmp_path) / RECORD_FILE).write_text("{not json")
    assert seed_skip_args(tmp_path, record(), everything_exists) == []
    write_manifest(tmp_path, seeds=())  # a build with no seed to check
    keep_build_state(tmp_path, record())
    assert seed_skip_args(tmp_path, record(), everything_exists) == []


def test_forget_and_a_build_without_manifest(tmp_path: Path) -> None:
    keep_build_state(tmp_path, record())  # nothing built: nothing kept
    assert not state_dir(tmp_path).exists()
    write_manifest(tmp_path)
    keep_build_state(tmp_path, record())
    forget_build_state(tmp_path)
    assert seed_skip_args(tmp_path, record(), everything_exists) == []


def test_the_fingerprint_follows_seeds_macros_and_tests_not_python(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name in ("seeds", "macros", "tests/generic", "tests/python"):
        (project / name).mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: p\n")
    (project / "profiles.yml").write_text("p: {}\n")
    (project / "seeds" / "plan_tiers.csv").write_text("plan_tier,tier_rank\nfree,1\n")
    (project / "tests" / "generic" / "t.sql").write_text("select 1\n")
    first = seed_fingerprint(project)
    assert seed_fingerprint(project) == first
    (project / "tests" / "python" / "test_x.py").write_text("assert True\n")
    assert seed_fingerprint(project) == first
    for path, text in [("seeds/plan_tiers.csv", "plan_tier,tier_rank\nfree,2\n"), ("macros/m.sql", "{% macro m() %}{% endmacro %}"),
                       ("tests/generic/t.sql", "select 2\n"), ("dbt_project.yml", "name: q\n")]:
        before = seed_fingerprint(project)
        (project / path).write_text(text)
        assert seed_fingerprint(project) != before, path


def test_the_record_names_target_warehouse_and_fingerprint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "a.duckdb"))
    monkeypatch.delenv("DBT_TARGET", raising=False)
    here = current_record(None)
    assert here["target"] == "duckdb" and here["fingerprint"] == seed_fingerprint(PROJECT_DIR)
    assert here["warehouse"]["DUCKDB_PATH"] == str((tmp_path / "a.duckdb").resolve())
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "b.duckdb"))
    assert current_record(None) != here
    assert current_record("postgres")["target"] == "postgres"
    # as_of moves every night and does not count; any other --vars does.
    assert current_record(None, {"as_of": "2026-03-10 12:00:00"}) == current_record(None)
    assert current_record(None, {"lift_holdout_percent": 20}) != current_record(None)


def test_setup_journeys_build_forgets_the_record(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from setup_journeys import cli

    target_path = tmp_path / "target"
    write_manifest(target_path)
    keep_build_state(target_path, record())
    monkeypatch.setenv("DBT_TARGET_PATH", str(target_path))
    calls: list[list[str]] = []
    monkeypatch.setattr(cli, "run_dbt", lambda args, **kwargs: calls.append(list(args)))
    outcome = CliRunner().invoke(cli.app, ["build", "--as-of", "2026-03-10 12:00:00"])
    assert outcome.exit_code == 0, outcome.output
    assert calls == [["build"]]
    assert not state_dir(target_path).exists()
