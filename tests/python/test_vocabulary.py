"""Closed vocabularies have one home (the seeds), and every value the models can emit is accepted by the checks.

The nightly job once refused a valid night because its great-expectations suite typed out its own list of
suppression reasons and missed one the models produce. Here, statically and for every closed vocabulary:
1. every literal the SQL can write into the column (read off the compiled models: `then '...'`,
   `else '...'` and `'...' as column`, also through the intermediate aliases a model builds the column
   from) is a value of the seed that is its home;
2. the dbt tests on that column are `relationships` to the same seed (no typed-out accepted_values);
3. the nightly job's great-expectations suites accept exactly the seed's values.
"""

from __future__ import annotations

import ast
import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from setup_journeys.checks import build_suites
from setup_journeys.dbt_runner import run_dbt
from setup_journeys.vocabulary import seed_rows

# (model, column, the aliases the column is assembled from in that model, home seed, seed column)
EMITTERS = [
    ("int_journey_guardrails", "suppression_reason", ("first_reason", "pre_cap_reason", "suppression_reason"),
     "suppression_reasons", "suppression_reason"),
    ("base_raw__setup_events", "reject_reason", ("reject_reason",), "quarantine_reasons", "reject_reason"),
    ("int_setup_state", "status", ("status",), "setup_statuses", "status"),
    ("account_setup_state", "setup_stage", ("setup_stage",), "setup_stages", "setup_stage"),
    ("account_setup_state_history", "setup_stage", ("setup_stage",), "setup_stages", "setup_stage"),
    ("int_journey_candidates", "journey_step", ("journey_step",), "journey_steps", "journey_step"),
    ("int_journey_candidates", "alert_reason", ("alert_reason",), "friction_segment_catalog", "segment"),
    ("friction_segments", "segment", ("segment",), "friction_segment_catalog", "segment"),
]
# Published columns and the seed each must be tested against (dbt relationships tests).
TESTED_COLUMNS = [
    ("journey_suppressions", "suppression_reason", "suppression_reasons"),
    ("int_journey_guardrails", "suppression_reason", "suppression_reasons"),
    ("setup_events_quarantine", "reject_reason", "quarantine_reasons"),
    ("account_integration_state", "status", "setup_statuses"),
    ("account_setup_state", "setup_stage", "setup_stages"),
    ("account_setup_state_history", "setup_stage", "setup_stages"),
    ("export_journey_due", "journey_step", "journey_steps"),
    ("export_journey_due", "channel", "journey_channels"),
    ("journey_suppressions", "journey_step", "journey_steps"),
    ("friction_segments", "segment", "friction_segment_catalog"),
    ("stg_raw__accounts", "plan_tier", "plan_tiers"),
    ("stg_raw__users", "role", "user_roles"),
]
# The great-expectations value sets of the nightly gate and their homes.
CHECKED_SETS = [
    ("export_journey_due", "journey_step", "journey_steps", "journey_step"),
    ("export_journey_due", "channel", "journey_channels", "channel"),
    ("journey_suppressions", "suppression_reason", "suppression_reasons", "suppression_reason"),
    ("journey_suppressions", "journey_step", "journey_steps", "journey_step"),
    ("account_integration_state", "status", "setup_statuses", "status"),
    ("account_setup_state", "setup_stage", "setup_stages", "setup_stage"),
    ("friction_segments", "segment", "friction_segment_catalog", "segment"),
]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The manifest after `dbt compile` of the emitting models: their compiled SQL, and every test node."""
    import os

    target = tmp_path_factory.mktemp("vocabulary_target")
    previous = os.environ.get("DUCKDB_PATH")
    os.environ["DUCKDB_PATH"] = str(target / "compile.duckdb")
    try:
        models = sorted({model for model, *_ in EMITTERS})
        run_dbt(["compile", "--select", *models, "--target-path", str(target)])
    finally:
        if previous is None:
            os.environ.pop("DUCKDB_PATH", None)
        else:
            os.environ["DUCKDB_PATH"] = previous
    return json.loads((Path(target) / "manifest.json").read_text())


def seed_values(seed: str, column: str) -> set[str]:
    return {row[column] for row in seed_rows(seed)}


def _select_item_before(sql: str, end: int) -> str:
    """The text of the select item that ends at `end` (just before its `as alias`): walk back to the previous
    comma or `select` at parenthesis depth 0, skipping nested parentheses and case ... end blocks."""
    depth = 0
    position = end
    while position > 0:
        position -= 1
        char = sql[position]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return sql[position + 1:end]
            depth -= 1
        elif depth == 0 and char == ",":
            return sql[position + 1:end]
        elif depth == 0 and sql[max(0, position - 6):position + 1].lower().endswith("select") and (
                position + 1 >= len(sql) or not sql[position + 1].isalnum()):
            return sql[position + 1:end]
    return sql[:end]


def emitted_literals(sql: str, aliases: tuple[str, ...]) -> set[str]:
    """Every string literal the select items named `aliases` can produce."""
    sql = re.sub(r"--[^\n]*", "", sql)  # comments hold prose, not values
    values: set[str] = set()
    for alias in aliases:
        for match in re.finditer(rf"\bas\s+{alias}\b", sql, flags=re.IGNORECASE):
            item = _select_item_before(sql, match.start())
            bare = re.fullmatch(r"\s*'([^']*)'\s*", item)
            if bare:
                values.add(bare.group(1))
            values |= set(re.findall(r"\b(?:then|else)\s+'([^']*)'", item, flags=re.IGNORECASE))
    return values


@pytest.mark.parametrize(("model", "column", "aliases", "seed", "seed_column"), EMITTERS,
                         ids=[f"{model}.{column}" for model, column, *_ in EMITTERS])
def test_every_value_a_model_can_emit_is_in_its_seed(compiled, model, column, aliases, seed, seed_column) -> None:
    node = next(node for node in compiled["nodes"].values()
                if node["resource_type"] == "model" and node["name"] == model)
    emitted = emitted_literals(node["compiled_code"], aliases)
    home = seed_values(seed, seed_column)
    assert emitted, f"no literal found for {model}.{column}: the extraction no longer matches the SQL"
    assert emitted <= home, f"{model}.{column} can emit {sorted(emitted - home)}, which seeds/{seed}.csv lacks"


def test_the_extraction_finds_every_guardrail_reason(compiled) -> None:
    """Every reason of the seed is produced by the guardrails model (a reason nobody emits is dead)."""
    node = next(node for node in compiled["nodes"].values() if node["name"] == "int_journey_guardrails")
    emitted = emitted_literals(node["compiled_code"], ("first_reason", "pre_cap_reason", "suppression_reason"))
    assert emitted == seed_values("suppression_reasons", "suppression_reason")


@pytest.mark.parametrize(("model", "column", "seed"), TESTED_COLUMNS, ids=[f"{m}.{c}" for m, c, _ in TESTED_COLUMNS])
def test_dbt_tests_read_the_vocabulary_from_its_seed(compiled, model, column, seed) -> None:
    tests = [node for node in compiled["nodes"].values()
             if node["resource_type"] == "test" and node.get("attached_node", "").endswith(f".{model}")
             and node.get("column_name") == column]
    kinds = {node["test_metadata"]["name"] for node in tests if node.get("test_metadata")}
    assert "accepted_values" not in kinds, f"{model}.{column} types its values out instead of reading {seed}"
    relationships = [node for node in tests if node.get("test_metadata", {}).get("name") == "relationships"]
    targets = {dependency.split(".")[-1] for node in relationships for dependency in node["depends_on"]["nodes"]}
    assert seed in targets, f"{model}.{column} has no relationships test to the seed {seed}"


@pytest.mark.parametrize(("table", "column", "seed", "seed_column"), CHECKED_SETS,
                         ids=[f"{t}.{c}" for t, c, *_ in CHECKED_SETS])
def test_the_nightly_checks_accept_exactly_the_seed_values(table, column, seed, seed_column) -> None:
    suites = build_suites(datetime(2026, 3, 10, 12))
    value_sets = [set(expectation.value_set) for expectation in suites[table]
                  if type(expectation).__name__ == "ExpectColumnValuesToBeInSet" and expectation.column == column
                  and expectation.row_condition is None]
    assert value_sets == [seed_values(seed, seed_column)]


def _string_collections(tree: ast.AST) -> list[tuple[int, set[str]]]:
    """(line, strings) of every list, tuple or set display and every dict's keys in a module."""
    found = []
    for node in ast.walk(tree):
        elements = node.elts if isinstance(node, (ast.List, ast.Tuple, ast.Set)) else (
            [key for key in node.keys if key is not None] if isinstance(node, ast.Dict) else None)
        if elements:
            strings = {element.value for element in elements
                       if isinstance(element, ast.Constant) and isinstance(element.value, str)}
            found.append((node.lineno, strings))
    return found


def test_no_vocabulary_is_typed_out_in_python() -> None:
    """The Python side reads the seeds: no list, tuple, set or dict in src/ spells out a closed vocabulary.

    Naming a few values in a rule (a story's roles, the stalled-help step) is fine; a collection holding
    three or more values and most (over 3/4) of a vocabulary is a second home that drifts. A line marked
    `vocabulary-ok:` with a reason is a deliberate exception."""
    from setup_journeys import PROJECT_DIR

    vocabularies = {
        "suppression reasons": seed_values("suppression_reasons", "suppression_reason"),
        "quarantine reasons": seed_values("quarantine_reasons", "reject_reason"),
        "journey steps": seed_values("journey_steps", "journey_step"),
        "setup statuses": seed_values("setup_statuses", "status"),
        "setup stages": seed_values("setup_stages", "setup_stage"),
        "friction segments": seed_values("friction_segment_catalog", "segment"),
        "plan tiers": seed_values("plan_tiers", "plan_tier"),
        "user roles": seed_values("user_roles", "role"),
        "integration types": {row["integration_type"] for row in seed_rows("integration_catalog")},
        "setup paths": {row["setup_path"] for row in seed_rows("setup_paths")},
    }
    offenders = []
    for path in sorted((PROJECT_DIR / "src").rglob("*.py")):
        text = path.read_text()
        lines = text.splitlines()
        for line, strings in _string_collections(ast.parse(text)):
            if "vocabulary-ok:" in lines[line - 1]:
                continue
            for name, values in vocabularies.items():
                if len(strings & values) >= 3 and len(strings & values) > 0.75 * len(values):
                    offenders.append(f"{path.relative_to(PROJECT_DIR)}:{line} lists {name}: {sorted(strings & values)}")
    assert not offenders, "\n".join(offenders)
