"""dbt-project-evaluator's rules as checks over target/manifest.json (the package cannot be installed here).

`dbt parse` is enough to produce the manifest, so this module needs no warehouse build.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import PROJECT_DIR
from setup_journeys.dbt_runner import run_dbt

# SPEC 6: the output models whose names are fixed, with their required columns.
SPEC_OUTPUTS = {
    "account_integration_state": ["account_id", "integration_type", "setup_path", "status", "started_at",
                                  "completed_at", "last_progress_at", "next_required_step", "error_count",
                                  "last_error_code"],
    "account_setup_state": ["account_id", "setup_stage", "integrations_started", "integrations_completed",
                            "first_started_at", "first_completed_at", "is_setup_complete"],
    "account_setup_state_history": ["account_id", "setup_stage", "valid_from", "valid_to"],
    "friction_segments": ["account_id", "integration_type", "segment", "entered_at"],
    "setup_funnel": ["cohort_week", "integration_type", "plan_tier", "acquisition_source", "step_number", "step_name",
                     "setups_started", "setups_reached", "setups_pending", "conversion_from_start",
                     "conversion_from_previous"],
    "time_to_connect": ["account_id", "integration_type", "started_at", "completed_at", "minutes_to_complete",
                        "signup_to_complete_minutes"],
    "export_journey_due": ["sync_key", "account_id", "integration_type", "journey_step", "reminder_number",
                           "recipient_user_id", "recipient_email", "channel", "due_at"],
    "journey_suppressions": ["sync_key", "account_id", "integration_type", "journey_step", "reminder_number",
                             "recipient_user_id", "suppression_reason"],
    "setup_events_quarantine": ["event_id", "event_name", "occurred_at", "received_at", "account_id", "user_id",
                                "integration_type", "properties", "reject_reason"],
}
# Vars an incremental model keyed by account may read without storing them in its rows' fingerprint,
# and why a change of their value needs nothing more.
VARS_OUTSIDE_FINGERPRINTS = {
    "as_of": "each row stores computed_as_of; moving back resets the table, moving forward is the rule",
    "incremental_account_buckets": "the partition count: a change needs --full-refresh (README)",
    "incremental_lookback_hours": "how far back a run looks for rows to stage, not a value of a row",
}
# The same, for one model only: a var that decides columns of a model it reads but not the ones it uses.
MODEL_VARS_OUTSIDE_FINGERPRINTS = {
    "int_setup_status_signals": {
        "conversion_window_days": "it reads setup_id and completed_at of time_to_connect, not the window",
        "high_value_plan_tiers": "it reads setup_id and completed_at of time_to_connect, not the account tier",
    },
}
VAR_READ = re.compile(r"\b(?:setting|threshold_after|threshold_before|threshold_seconds|var)\(\s*'([a-z_]+)'")
MAX_CHILDREN = 8  # a model read by more than this many models is a hub worth splitting
MAX_VIEW_CHAIN = 5
POSTGRES_IDENTIFIER_LIMIT = 63


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    target = tmp_path_factory.mktemp("parse_target")
    run_dbt(["parse", "--target-path", str(target)])
    return json.loads((Path(target) / "manifest.json").read_text())


def _models(manifest: dict) -> dict[str, dict]:
    return {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}


def test_spec_outputs_exist_with_their_required_columns(manifest: dict) -> None:
    models = _models(manifest)
    for name, required in SPEC_OUTPUTS.items():
        assert name in models, f"SPEC output {name} is missing"
        documented = set(models[name]["columns"])
        assert set(required) <= documented, f"{name} does not document {set(required) - documented}"


def test_only_staging_reads_sources(manifest: dict) -> None:
    for model in _models(manifest).values():
        if model["depends_on"]["nodes"] and any(node.startswith("source.") for node in model["depends_on"]["nodes"]):
            assert "/staging/" in "/" + model["original_file_path"], f"{model['name']} reads a source outside staging"


def test_every_model_is_described_and_has_a_primary_key_test(manifest: dict) -> None:
    tested_models: dict[str, set[str]] = defaultdict(set)
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        test_name = (node.get("test_metadata") or {}).get("name")
        if test_name in {"unique", "unique_combination", "unique_and_not_null", "unique_in_table_for_run_rows"}:
            for parent in node["depends_on"]["nodes"]:
                tested_models[parent].add(test_name)
    undescribed = [name for name, model in _models(manifest).items() if not model["description"].strip()]
    assert not undescribed, f"models without a description: {undescribed}"
    without_key = [
        name for name, model in _models(manifest).items()
        if model["config"]["materialized"] in {"table", "incremental"} and not tested_models[model["unique_id"]]
        and name != "metricflow_time_spine"
    ]
    assert not without_key, f"tables without a uniqueness test on their key: {without_key}"


def test_mart_columns_are_all_documented(manifest: dict) -> None:
    for model in _models(manifest).values():
        if "/marts/" not in model["original_file_path"]:
            continue
        missing = [name for name, column in model["columns"].items() if not column.get("description", "").strip()]
        assert not missing, f"{model['name']}: columns without a description: {missing}"


def test_no_model_has_too_many_direct_children_or_deep_view_chains(manifest: dict) -> None:
    models = _models(manifest)
    by_id = {model["unique_id"]: model for model in models.values()}
    children: dict[str, int] = defaultdict(int)
    for model in models.values():
        for parent in model["depends_on"]["nodes"]:
            if parent in by_id:
                children[parent] += 1
    hubs = {by_id[node]["name"]: count for node, count in children.items() if count > MAX_CHILDREN}
    assert not hubs, f"models with more than {MAX_CHILDREN} direct children: {hubs}"

    def view_depth(unique_id: str) -> int:
        model = by_id[unique_id]
        if model["config"]["materialized"] != "view":
            return 0
        parents = [parent for parent in model["depends_on"]["nodes"] if parent in by_id]
        return 1 + max((view_depth(parent) for parent in parents), default=0)

    deep = {model["name"]: view_depth(model["unique_id"]) for model in models.values()
            if view_depth(model["unique_id"]) > MAX_VIEW_CHAIN}
    assert not deep, f"chains of views deeper than {MAX_VIEW_CHAIN}: {deep}"


def test_names_fit_every_engine(manifest: dict) -> None:
    too_long = [
        node["name"] for node in manifest["nodes"].values()
        if node["resource_type"] in {"model", "unit_test", "seed", "snapshot"}
        and len(node["name"]) > POSTGRES_IDENTIFIER_LIMIT
    ]
    too_long += [node["name"] for node in manifest.get("unit_tests", {}).values()
                 if len(node["name"]) > POSTGRES_IDENTIFIER_LIMIT]
    assert not too_long, f"names longer than PostgreSQL's {POSTGRES_IDENTIFIER_LIMIT} characters: {too_long}"


def test_no_threshold_literal_is_buried_in_sql() -> None:
    """Thresholds live in vars and seeds: no `interval '7 days'`-style literal in a model."""
    pattern = re.compile(r"interval\s+'?\d+|\b(?:hours?|days?|minutes?)\s*[<>]=?\s*\d", re.IGNORECASE)
    offenders = []
    for path in (PROJECT_DIR / "models").rglob("*.sql"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(PROJECT_DIR)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_every_business_rule_model_has_unit_tests(manifest: dict) -> None:
    unit_tested = {node["model"] for node in manifest.get("unit_tests", {}).values()}
    for name in ["stg_raw__setup_events", "int_setups_aggregated", "int_setup_progress", "int_setup_errors_after_progress",
                 "int_setup_messages_sent", "int_setup_state", "int_friction_progress_stalls", "int_friction_errors",
                 "int_friction_signals", "friction_segments",
                 "setup_funnel", "time_to_connect", "time_to_connect_survival", "int_journey_candidates",
                 "int_journey_guardrails"]:
        assert name in unit_tested, f"{name} has no dbt unit test"


def test_every_macro_and_its_arguments_are_described(manifest: dict) -> None:
    """Every macro of the project has a description and every argument one too (macros/<dir>/_<dir>__macros.yml)."""
    undocumented = []
    for macro in manifest["macros"].values():
        if macro["package_name"] != manifest["metadata"].get("project_name", "setup_journeys") \
                or not macro["original_file_path"].startswith("macros/"):
            continue
        if not macro.get("description", "").strip():
            undocumented.append(f"{macro['name']}: no description")
        described = {argument["name"] for argument in macro.get("arguments", []) if argument.get("description")}
        signature = re.search(r"macro\s+\w+\s*\(([^)]*)\)", macro["macro_sql"])
        names = [part.split("=")[0].strip() for part in (signature.group(1) if signature else "").split(",") if part.strip()]
        undocumented += [f"{macro['name']}: argument {name} not described" for name in names if name not in described]
    assert not undocumented, "\n".join(undocumented)


def _what_runs_diagram() -> str:
    readme = (PROJECT_DIR / "README.md").read_text()
    match = re.search(r"^## What runs\n\n```\n(.*?)^```", readme, flags=re.S | re.M)
    assert match, "README.md has no '## What runs' diagram"
    return match.group(1)


def test_the_readme_diagram_names_every_model_and_no_other(manifest: dict) -> None:
    """The 'What runs' diagram follows the DAG: every model is in it by its full name, and every
    staging or intermediate name in it is a model (a renamed or deleted model fails here)."""
    diagram = _what_runs_diagram()
    models = set(_models(manifest))
    words = set(re.findall(r"\b[a-z][a-z0-9_]*\b", diagram))
    assert sorted(models - words) == []
    layered = {word for word in words if re.match(r"(base|stg|int)_", word)}
    assert sorted(layered - models) == []


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        # A string where a list is meant would silently test its letters; each stops the parse.
        ("unique_and_not_null:\n          arguments:\n            unique: account_id",
         "unique_and_not_null needs `unique:` to be a list of column names (got account_id), e.g."),
        ("unique_combination:\n          arguments:\n            columns: [account_id]",
         "unique_combination needs `columns:` to be a list of at least 2 column names (got ['account_id'])"),
        ("not_null_columns:\n          arguments:\n            columns: []",
         "not_null_columns needs `columns:` to be a list of column names (got [])"),
    ],
)
def test_a_generic_test_with_a_bad_argument_stops_the_parse_with_a_sentence(
        arguments: str, expected: str, tmp_path: Path) -> None:
    from dbt.cli.main import dbtRunner

    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns(
        ".venv", ".git", "warehouse", "target", "logs", "__pycache__", "*.duckdb*"))
    (project / "models" / "zz_bad_argument.sql").write_text("select 'a1' as account_id\n")
    (project / "models" / "zz_bad_argument.yml").write_text(
        "version: 2\nmodels:\n  - name: zz_bad_argument\n    data_tests:\n      - " + arguments + "\n")
    result = dbtRunner().invoke(["parse", "--project-dir", str(project), "--profiles-dir", str(project),
                                 "--target-path", str(tmp_path / "target")])
    assert not result.success
    assert expected in str(result.exception)


def _vars_read(node: dict, macros: dict[str, dict], seen: set[str]) -> set[str]:
    """The vars a model's code or any macro it calls (transitively) reads by name."""
    found = set(VAR_READ.findall(node.get("raw_code") or node.get("macro_sql") or ""))
    for macro_id in node["depends_on"]["macros"]:
        if macro_id not in seen and macro_id in macros:
            seen.add(macro_id)
            found |= _vars_read(macros[macro_id], macros, seen)
    return found


def _fingerprinted_vars(model: dict, macros: dict[str, dict]) -> set[str]:
    """The vars whose values the model stores in each row (rules_fingerprint), from the one list each
    model keeps: `rules_vars` in the model, or setup_rules_fingerprint's for int_setup_state."""
    lists = re.findall(r"set rules_vars = (\[[^\]]*\])", model["raw_code"])
    if "setup_rules_fingerprint" in model["raw_code"]:
        macro = macros["macro.setup_journeys.setup_rules_fingerprint"]["macro_sql"]
        lists += re.findall(r"for name in (\[[^\]]*\])", macro)
    return {name for found in lists for name in re.findall(r"'([a-z_]+)'", found)}


def test_every_var_an_account_keyed_model_depends_on_is_in_its_fingerprint(manifest: dict) -> None:
    """An incremental model keyed by account rewrites only the accounts a run picks, so a var its rows
    depend on must be stored in them (rules_fingerprint): otherwise a new value would only reach the
    accounts recomputed for other reasons, and the rest would keep the old one for good. Counted: the
    vars read by the model, by every model it reads that is rebuilt each run (views and tables, up to
    the next incremental model, which keeps its own), and by the macros they call."""
    nodes, macros = manifest["nodes"], manifest["macros"]
    account_keyed = [node for node in nodes.values() if node["resource_type"] == "model"
                     and node["config"]["materialized"] == "incremental"
                     and node["config"].get("unique_key") == "account_id"]
    assert {node["name"] for node in account_keyed} >= {
        "int_setups_aggregated", "int_setup_state", "int_journey_message_outcomes", "int_setup_status_signals"}
    missing = {}
    for model in account_keyed:
        read, pending, visited = set(), [model["unique_id"]], set()
        while pending:
            node = nodes[pending.pop()]
            read |= _vars_read(node, macros, set())
            for parent in node["depends_on"]["nodes"]:
                parent_node = nodes.get(parent)
                if parent in visited or parent_node is None or parent_node["resource_type"] != "model":
                    continue
                visited.add(parent)
                if parent_node["config"]["materialized"] != "incremental":
                    pending.append(parent)
        unstored = (read - _fingerprinted_vars(model, macros) - set(VARS_OUTSIDE_FINGERPRINTS)
                    - set(MODEL_VARS_OUTSIDE_FINGERPRINTS.get(model["name"], {})))
        if unstored:
            missing[model["name"]] = sorted(unstored)
    assert not missing, f"vars read but not in the model's fingerprint (rules_vars): {missing}"
