"""Funnel and time-to-connect marts (issue 5): hand-computed stories, demo reconciliation, and the
Kaplan-Meier curve checked against lifelines.

One raw dataset with a story per account, built once at AS_OF; every expected number below was
worked out by hand from the timestamps (14-day conversion window, the project default).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import pytest
from lifelines import KaplanMeierFitter

from conftest import Warehouse

AS_OF = "2026-03-10 12:00:00"
WINDOW = timedelta(days=14)


def _event(event_id: str, name: str, at: str, account: str, user: str | None, integration: str | None,
           properties: dict[str, str] | None = None) -> dict[str, Any]:
    moment = datetime.fromisoformat(at)
    return {
        "event_id": event_id, "event_name": name, "occurred_at": moment, "received_at": moment,
        "account_id": account, "user_id": user, "integration_type": integration,
        "properties": json.dumps(properties or {}),
    }


def _account(account_id: str, plan: str, source: str, signed_up: str) -> dict[str, Any]:
    moment = datetime.fromisoformat(signed_up)
    return {"account_id": account_id, "account_name": account_id, "plan_tier": plan, "signed_up_at": moment,
            "acquisition_source": source, "updated_at": moment}


def _user(user_id: str, account_id: str, role: str) -> dict[str, Any]:
    moment = datetime(2025, 1, 1)
    return {"user_id": user_id, "account_id": account_id, "email": f"{user_id}@example.com", "role": role,
            "email_opt_out": False, "created_at": moment, "updated_at": moment}


STORIES: dict[str, list[dict[str, Any]]] = {
    "accounts": [
        _account("fa1", "pro", "organic_search", "2026-03-01 00:00:00"),
        _account("fa2", "free", "paid_search", "2026-02-10 00:00:00"),
        _account("fa3", "pro", "organic_search", "2026-03-01 00:00:00"),
        _account("fa4", "free", "paid_search", "2026-01-01 00:00:00"),
        _account("fa6", "enterprise", "partner", "2026-02-20 00:00:00"),
    ],
    "users": [
        _user("fu1", "fa1", "owner"), _user("fu2", "fa2", "member"), _user("fu3", "fa3", "engineer"),
        _user("fu4", "fa4", "owner"), _user("fu6", "fa6", "admin"),
    ],
    "setup_events": [
        # fa1 slack: completes in 90 minutes, inside the window; the account then launches a workflow.
        _event("f1-1", "integration_started", "2026-03-02 10:00:00", "fa1", "fu1", "slack"),
        _event("f1-2", "integration_connected", "2026-03-02 10:30:00", "fa1", "fu1", "slack"),
        _event("f1-3", "sync_completed", "2026-03-02 11:30:00", "fa1", "fu1", "slack"),
        _event("f1-4", "workflow_launched", "2026-03-02 12:00:00", "fa1", "fu1", None),
        # fa2 slack (started on a Sunday): connected after 1 h, first sync 16 days later - completed,
        # but after its 14-day window, so the funnel counts step 3 as dropped.
        _event("f2-1", "integration_started", "2026-02-15 10:00:00", "fa2", "fu2", "slack"),
        _event("f2-2", "integration_connected", "2026-02-15 11:00:00", "fa2", "fu2", "slack"),
        _event("f2-3", "sync_completed", "2026-03-03 10:00:00", "fa2", "fu2", "slack"),
        # fa3 stripe: two days old, key created after 20 min: steps 3 and 4 pending, not dropped.
        _event("f3-1", "integration_started", "2026-03-08 12:00:00", "fa3", "fu3", "stripe"),
        _event("f3-2", "api_key_created", "2026-03-08 12:20:00", "fa3", "fu3", "stripe"),
        # fa4 stripe: started 37 days 3 hours before as_of, nothing since: abandoned, censored.
        _event("f4-1", "integration_started", "2026-02-01 09:00:00", "fa4", "fu4", "stripe"),
        # fa5 is not in raw.accounts: kept upstream, not counted by the marts.
        _event("f5-1", "integration_started", "2026-03-05 09:00:00", "fa5", None, "slack"),
        # fa6 webhook: an error, then every step 20 minutes apart: recovered, 60 minutes to complete.
        _event("f6-1", "integration_started", "2026-02-23 09:00:00", "fa6", "fu6", "webhook"),
        _event("f6-2", "setup_error_seen", "2026-02-23 09:10:00", "fa6", "fu6", "webhook",
               {"error_code": "invalid_api_key"}),
        _event("f6-3", "api_key_created", "2026-02-23 09:20:00", "fa6", "fu6", "webhook"),
        _event("f6-4", "test_event_sent", "2026-02-23 09:40:00", "fa6", "fu6", "webhook"),
        _event("f6-5", "first_api_call_success", "2026-02-23 10:00:00", "fa6", "fu6", "webhook"),
    ],
}


@pytest.fixture(scope="module")
def stories(new_warehouse) -> Warehouse:
    warehouse = new_warehouse("funnel")
    warehouse.load_raw(STORIES)
    warehouse.build(AS_OF)
    return warehouse


def _rows(warehouse: Warehouse, sql: str, columns: list[str]) -> list[tuple]:
    return [tuple(row[column] for column in columns) for row in warehouse.query(sql)]


# --- hand-computed stories -------------------------------------------------------------------


def test_time_to_connect_rows(stories: Warehouse) -> None:
    columns = ["account_id", "integration_type", "cohort_week", "minutes_to_step_2", "minutes_to_complete",
               "signup_to_complete_minutes", "is_completed_within_window", "is_completion_pending",
               "is_censored", "observed_minutes", "is_error_recovered", "is_account_activated"]
    rows = _rows(stories, "select * from time_to_connect order by account_id", columns)
    week = datetime.fromisoformat
    assert rows == [
        ("fa1", "slack", week("2026-03-02").date(), 30, 90, 2130, True, False, False, 90, False, True),
        ("fa2", "slack", week("2026-02-09").date(), 60, 23040, 30840, False, False, False, 23040, False, False),
        ("fa3", "stripe", week("2026-03-02").date(), 20, None, None, False, True, True, 2880, False, False),
        ("fa4", "stripe", week("2026-01-26").date(), None, None, None, False, False, True, 53460, False, False),
        ("fa6", "webhook", week("2026-02-23").date(), 20, 60, 4920, True, False, False, 60, True, False),
    ]


def test_funnel_rows(stories: Warehouse) -> None:
    columns = ["integration_type", "plan_tier", "starter_role", "step_number", "setups_started", "setups_reached",
               "setups_pending", "setups_dropped", "conversion_from_start", "conversion_from_previous",
               "conversion_from_start_closed", "median_minutes_from_previous"]
    rows = _rows(stories, "select * from setup_funnel order by integration_type, cohort_week, step_number", columns)
    assert rows == [
        # fa2 (cohort 2026-02-09): step 3 reached after the window -> dropped; window closed.
        ("slack", "free", "member", 1, 1, 1, 0, 0, 1.0, 1.0, 1.0, None),
        ("slack", "free", "member", 2, 1, 1, 0, 0, 1.0, 1.0, 1.0, 60),
        ("slack", "free", "member", 3, 1, 0, 0, 1, 0.0, 0.0, 0.0, None),
        # fa1 (cohort 2026-03-02): all reached; window still open -> no settled conversion yet.
        ("slack", "pro", "owner", 1, 1, 1, 0, 0, 1.0, 1.0, None, None),
        ("slack", "pro", "owner", 2, 1, 1, 0, 0, 1.0, 1.0, None, 30),
        ("slack", "pro", "owner", 3, 1, 1, 0, 0, 1.0, 1.0, None, 60),
        # fa4 (cohort 2026-01-26): never past step 1, window closed -> dropped.
        ("stripe", "free", "owner", 1, 1, 1, 0, 0, 1.0, 1.0, 1.0, None),
        ("stripe", "free", "owner", 2, 1, 0, 0, 1, 0.0, 0.0, 0.0, None),
        ("stripe", "free", "owner", 3, 1, 0, 0, 1, 0.0, None, 0.0, None),
        ("stripe", "free", "owner", 4, 1, 0, 0, 1, 0.0, None, 0.0, None),
        # fa3 (cohort 2026-03-02): two days old -> steps 3 and 4 pending, not drop-off.
        ("stripe", "pro", "engineer", 1, 1, 1, 0, 0, 1.0, 1.0, None, None),
        ("stripe", "pro", "engineer", 2, 1, 1, 0, 0, 1.0, 1.0, None, 20),
        ("stripe", "pro", "engineer", 3, 1, 0, 1, 0, 0.0, 0.0, None, None),
        ("stripe", "pro", "engineer", 4, 1, 0, 1, 0, 0.0, None, None, None),
        # fa6: every step 20 minutes after the previous one.
        ("webhook", "enterprise", "admin", 1, 1, 1, 0, 0, 1.0, 1.0, 1.0, None),
        ("webhook", "enterprise", "admin", 2, 1, 1, 0, 0, 1.0, 1.0, 1.0, 20),
        ("webhook", "enterprise", "admin", 3, 1, 1, 0, 0, 1.0, 1.0, 1.0, 20),
        ("webhook", "enterprise", "admin", 4, 1, 1, 0, 0, 1.0, 1.0, 1.0, 20),
    ]


def test_account_missing_from_raw_accounts_is_not_counted(stories: Warehouse) -> None:
    assert stories.scalar("select count(*) from time_to_connect where account_id = 'fa5'") == 0
    assert stories.scalar("select sum(setups_started) from setup_funnel where step_number = 1") == 5


def test_survival_and_percentiles(stories: Warehouse) -> None:
    curve = _rows(stories, "select * from time_to_connect_survival order by integration_type, time_index",
                  ["integration_type", "minutes_since_start", "setups_at_risk", "setups_completed",
                   "setups_censored", "survival_probability"])
    assert curve == [
        # slack: 90 min and 23040 min, both completed: S = 1/2, then 0.
        ("slack", 90, 2, 1, 0, 0.5),
        ("slack", 23040, 1, 1, 0, 0.0),
        # stripe: both still open at as_of -> censored, the curve stays at 1.
        ("stripe", 2880, 2, 0, 1, 1.0),
        ("stripe", 53460, 1, 0, 1, 1.0),
        ("webhook", 60, 1, 1, 0, 0.0),
    ]
    percentiles = _rows(stories, "select * from time_to_connect_percentiles order by integration_type",
                        ["integration_type", "setups_censored", "km_p50_minutes_to_complete",
                         "km_p75_minutes_to_complete", "km_p90_minutes_to_complete",
                         "completed_only_p50_minutes_to_complete"])
    assert percentiles == [
        ("slack", 0, 90, 23040, 23040, 11565),
        ("stripe", 2, None, None, None, None),
        ("webhook", 0, 60, 60, 60, 60),
    ]


def test_summary_rows(stories: Warehouse) -> None:
    rows = _rows(stories, "select * from time_to_connect_summary order by integration_type, cohort_week",
                 ["integration_type", "setups_started", "setups_completed", "setups_completed_within_window",
                  "setups_pending", "completion_rate", "completion_rate_closed", "p50_minutes_to_complete",
                  "p50_signup_to_first_completion_minutes", "error_recovery_rate", "activation_rate_completed"])
    assert rows == [
        ("slack", 1, 1, 0, 0, 0.0, 0.0, 23040, 30840, None, 0.0),
        ("slack", 1, 1, 1, 0, 1.0, None, 90, 2130, None, 1.0),
        ("stripe", 1, 0, 0, 0, 0.0, 0.0, None, None, None, None),
        ("stripe", 1, 0, 0, 1, 0.0, None, None, None, None, None),
        ("webhook", 1, 1, 1, 0, 1.0, 1.0, 60, 4920, 1.0, 0.0),
    ]


# --- demo data -------------------------------------------------------------------------------


def test_demo_funnel_reconciles_with_account_integration_state(demo_warehouse: Warehouse) -> None:
    """Recompute the funnel in Python from the per-setup state and compare, per integration and step."""
    as_of = datetime.fromisoformat(AS_OF)
    setups = demo_warehouse.query("select * from account_integration_state")
    expected: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for setup in setups:
        window_end = setup["started_at"] + WINDOW
        for step in range(1, setup["step_count"] + 1):
            reached_at = setup[f"step_{step}_reached_at"]
            reached = reached_at is not None and reached_at <= window_end
            counts = expected[(setup["integration_type"], step)]
            counts[0] += 1
            counts[1] += reached
            counts[2] += (not reached) and window_end > as_of
    actual = {
        (row["integration_type"], row["step_number"]): [row["started"], row["reached"], row["pending"]]
        for row in demo_warehouse.query(
            "select integration_type, step_number, sum(setups_started) as started, "
            "sum(setups_reached) as reached, sum(setups_pending) as pending from setup_funnel group by all")
    }
    assert actual == dict(expected)
    assert sum(counts[0] for (_, step), counts in expected.items() if step == 1) == len(setups)
    # The demo has young cohorts: some setups are pending, which is the point of the column.
    assert sum(counts[2] for counts in expected.values()) > 0


def test_demo_reached_never_increases_along_steps(demo_warehouse: Warehouse) -> None:
    rows = demo_warehouse.query(
        "select cohort_week, integration_type, plan_tier, acquisition_source, starter_role, step_number, "
        "setups_reached from setup_funnel order by all")
    previous: dict[tuple, int] = {}
    for row in rows:
        group = (row["cohort_week"], row["integration_type"], row["plan_tier"], row["acquisition_source"],
                 row["starter_role"])
        if group in previous:
            assert row["setups_reached"] <= previous[group], row
        previous[group] = row["setups_reached"]


def _lifelines_percentile(fitter: KaplanMeierFitter, survival_level: float) -> float | None:
    value = float(fitter.percentile(survival_level))
    return None if math.isinf(value) else value


@pytest.mark.filterwarnings("ignore::lifelines.exceptions.ApproximationWarning")
def test_demo_survival_curve_matches_lifelines(demo_warehouse: Warehouse) -> None:
    setups = demo_warehouse.query("select integration_type, observed_minutes, is_censored from time_to_connect")
    curve = demo_warehouse.query("select * from time_to_connect_survival order by integration_type, time_index")
    percentiles = {row["integration_type"]: row
                   for row in demo_warehouse.query("select * from time_to_connect_percentiles")}
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for setup in setups:
        by_type[setup["integration_type"]].append(setup)
    assert set(percentiles) == set(by_type)
    checked_percentiles = 0
    for integration_type, rows in by_type.items():
        fitter = KaplanMeierFitter().fit([row["observed_minutes"] for row in rows],
                                         event_observed=[not row["is_censored"] for row in rows])
        ours = [row for row in curve if row["integration_type"] == integration_type]
        table = fitter.event_table[fitter.event_table["removed"] > 0]
        assert [row["minutes_since_start"] for row in ours] == pytest.approx(list(table.index))
        assert [row["setups_at_risk"] for row in ours] == list(table["at_risk"])
        assert [row["setups_completed"] for row in ours] == list(table["observed"])
        assert [row["setups_censored"] for row in ours] == list(table["censored"])
        expected_survival = fitter.survival_function_["KM_estimate"].loc[list(table.index)]
        assert [row["survival_probability"] for row in ours] == pytest.approx(list(expected_survival), abs=1e-9)
        for percentile, survival_level in ((50, 0.5), (75, 0.25), (90, 0.1)):
            expected = _lifelines_percentile(fitter, survival_level)
            actual = percentiles[integration_type][f"km_p{percentile}_minutes_to_complete"]
            assert actual == (None if expected is None else pytest.approx(expected)), (integration_type, percentile)
            checked_percentiles += expected is not None
    # The demo must exercise both outcomes: percentiles that exist and ones the curve never reaches.
    assert checked_percentiles > 0
    assert any(row["km_p90_minutes_to_complete"] is None for row in percentiles.values())


def test_demo_km_median_is_not_the_completed_only_median(demo_warehouse: Warehouse) -> None:
    """With many setups open, the completed-only median understates time to connect."""
    rows = demo_warehouse.query(
        "select * from time_to_connect_percentiles where km_p50_minutes_to_complete is not null")
    assert rows
    for row in rows:
        assert row["km_p50_minutes_to_complete"] >= row["completed_only_p50_minutes_to_complete"]


def test_semantic_layer_defines_the_metrics(demo_warehouse: Warehouse) -> None:
    manifest = json.loads((demo_warehouse.target_path / "semantic_manifest.json").read_text())
    metrics = {metric["name"]: metric for metric in manifest["metrics"]}
    assert {"completion_rate", "completion_rate_closed", "median_time_to_connect_minutes",
            "step_conversion", "step_conversion_closed"} <= set(metrics)
    assert metrics["completion_rate"]["type"] == "ratio"
    models = {model["name"]: model for model in manifest["semantic_models"]}
    measures = {measure["name"]: measure for measure in models["setups"]["measures"]}
    assert measures["minutes_to_complete_median"]["agg"] == "median"
    assert manifest["project_configuration"]["time_spines"][0]["primary_column"]["name"] == "date_day"
