"""Scenario test: which accounts a night recomputes (issue 14), and rows staged late.

The models keyed by account (int_setups_aggregated, int_journey_message_outcomes,
int_setup_status_signals) recompute an account when one of its events was received after the
model's own watermark, when an event became visible because as_of moved, or when one of its rows
was staged late (received_at at or before the newest row already staged:
stg_raw__setup_events_late_loads). An account whose events arrived on time before the last run is
left alone, even inside incremental_lookback_hours. The story also skips the models for one run
(only the staging ran, as after a failed night): the next run still finds what was staged meanwhile.
A last night changes the credit windows the impact models read (`--vars`): the rows stored with the
old windows are recomputed, as a full refresh with the new windows computes them.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest

from conftest import Warehouse

T = datetime(2026, 3, 10, 12, 0, 0)
ACCOUNT_MODELS = ("int_setups_aggregated", "int_journey_message_outcomes", "int_setup_status_signals")
SELECTION = " ".join(f"+{model}" for model in ACCOUNT_MODELS)


def text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def event(event_id: str, name: str, account: str, integration: str, occurred: datetime,
          received: datetime) -> dict[str, Any]:
    return {"event_id": event_id, "event_name": name, "occurred_at": occurred, "received_at": received,
            "account_id": account, "user_id": f"u_{account}", "integration_type": integration,
            "properties": "{}"}


FIRST_BATCH = [
    # Received inside the 72 h lookback of the watermark, on time: nothing new for it later.
    event("recent_1", "integration_started", "acc_recent", "salesforce", T - timedelta(hours=10),
          T - timedelta(hours=10)),
    event("backfill_1", "integration_started", "acc_backfill", "stripe", T - timedelta(hours=100),
          T - timedelta(hours=100)),
    event("recent_2", "integration_status_viewed", "acc_recent", "salesforce", T - timedelta(hours=9),
          T - timedelta(hours=9)) | {"properties": '{"status": "pending"}'},
    # A reconnect 3 h after the status view: inside status_view_followup_hours (24), not inside 1.
    event("recent_3", "integration_reconnect_attempted", "acc_recent", "salesforce", T - timedelta(hours=6),
          T - timedelta(hours=6)),
    # Progress 8 h after the settled reminder below: inside message_outcome_window_hours (72), not inside 5.
    event("settled_1", "integration_started", "acc_settled", "stripe", T - timedelta(hours=100),
          T - timedelta(hours=100)),
    event("settled_2", "api_key_created", "acc_settled", "stripe", T - timedelta(hours=90),
          T - timedelta(hours=90)),
    # The newest row staged by the first run: the staging watermark is T - 1 h.
    event("anchor_1", "integration_started", "acc_anchor", "hubspot", T - timedelta(hours=1),
          T - timedelta(hours=1)),
]
SECOND_BATCH = [
    # Staged late: received at T - 5 h, before the newest row already staged (T - 1 h).
    event("backfill_2", "api_key_created", "acc_backfill", "stripe", T - timedelta(hours=50),
          T - timedelta(hours=5)),
    # On time: received after the watermark.
    event("new_1", "integration_started", "acc_new", "slack", T + timedelta(minutes=30),
          T + timedelta(minutes=30)),
]
# The backfilled api_key_created is progress after this reminder: its outcome changes.
MESSAGE_SENDS = [
    {"message_id": "m_backfill", "sync_key": "m_backfill", "account_id": "acc_backfill", "integration_type": "stripe",
     "user_id": "u_acc_backfill", "journey_step": "stalled_setup_help", "reminder_number": 1,
     "sent_at": T - timedelta(hours=60)},
    # Settled from the first run on: its 72 h window closed at T - 26 h.
    {"message_id": "m_settled", "sync_key": "m_settled", "account_id": "acc_settled", "integration_type": "stripe",
     "user_id": "u_acc_settled", "journey_step": "stalled_setup_help", "reminder_number": 1,
     "sent_at": T - timedelta(hours=98)},
]
ACCOUNTS = [
    {"account_id": account, "account_name": account, "plan_tier": "free", "signed_up_at": T - timedelta(days=10),
     "acquisition_source": "organic", "updated_at": T - timedelta(days=10)}
    for account in ("acc_recent", "acc_backfill", "acc_anchor", "acc_new", "acc_settled")
]
# The last night's windows: the backfilled progress (10 h after the reminder) and the reconnect
# (3 h after the status view) both fall outside them.
SHORTER_WINDOWS = {"message_outcome_window_hours": 5, "status_view_followup_hours": 1}
# Columns that say which run computed a row, and with which rules: not part of the row's value.
BOOKKEEPING = ("computed_as_of", "rules_fingerprint")


def rows_without_bookkeeping(warehouse: Warehouse, table: str) -> Counter:
    with warehouse.connect() as con:
        columns = [row[0] for row in con.execute(f"describe {table}").fetchall() if row[0] not in BOOKKEEPING]
        return Counter(con.execute(f"select {', '.join(columns)} from {table}").fetchall())


@pytest.fixture(scope="module")
def story(new_warehouse, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    warehouse = new_warehouse("late_loads")
    warehouse.load_raw({"setup_events": FIRST_BATCH, "accounts": ACCOUNTS, "message_sends": MESSAGE_SENDS})
    # Seeds, models and the tests whose every parent is selected.
    warehouse.dbt("build", "--select", SELECTION, "--indirect-selection", "cautious", as_of=text(T))

    # Night 2: only the staging runs (the models keyed by account are skipped, as after a failure).
    warehouse.load_raw({"setup_events": SECOND_BATCH}, replace=False)
    warehouse.dbt("run", "--select", "+stg_raw__setup_events", as_of=text(T + timedelta(hours=1)))
    late_loads = warehouse.query(
        "select event_id, account_id, received_at from main_staging.stg_raw__setup_events_late_loads")

    # Night 3: everything, one hour later.
    warehouse.dbt("run", "--select", SELECTION, as_of=text(T + timedelta(hours=2)))
    computed = {
        model: {row["account_id"]: row["computed_as_of"] for row in warehouse.query(
            f"select account_id, max(computed_as_of) as computed_as_of from main_intermediate.{model} group by 1")}
        for model in ACCOUNT_MODELS
    }
    backfilled = warehouse.query(
        "select event_count, step_2_first_at from main_intermediate.int_setups_aggregated"
        " where account_id = 'acc_backfill' and integration_type = 'stripe'")
    outcome = warehouse.query("select progressed_to_step_number, first_progress_at"
                              " from main_intermediate.int_journey_message_outcomes where message_id = 'm_backfill'")

    full = Warehouse(tmp_path_factory.mktemp("late_loads_full") / "full.duckdb")
    shutil.copy(warehouse.path, full.path)
    full.dbt("run", "--full-refresh", "--select", SELECTION, as_of=text(T + timedelta(hours=2)))
    incremental_and_full = {
        model: (rows_without_bookkeeping(warehouse, f"main_intermediate.{model}"),
                rows_without_bookkeeping(full, f"main_intermediate.{model}"))
        for model in ACCOUNT_MODELS
    }
    full_refresh_late_loads = full.scalar("select count(*) from main_staging.stg_raw__setup_events_late_loads")

    # Night 4: no new rows, shorter credit windows. Every stored row was computed with the old ones.
    new_windows_full = Warehouse(tmp_path_factory.mktemp("late_loads_windows") / "full.duckdb")
    shutil.copy(warehouse.path, new_windows_full.path)
    night_4 = text(T + timedelta(hours=3))
    warehouse.dbt("run", "--select", SELECTION, as_of=night_4, extra_vars=SHORTER_WINDOWS)
    new_windows_full.dbt("run", "--full-refresh", "--select", SELECTION, as_of=night_4, extra_vars=SHORTER_WINDOWS)
    new_windows = {
        model: (rows_without_bookkeeping(warehouse, f"main_intermediate.{model}"),
                rows_without_bookkeeping(new_windows_full, f"main_intermediate.{model}"))
        for model in ACCOUNT_MODELS
    }
    new_windows_outcome = warehouse.query("select progressed_to_step_number, first_progress_at"
                                          " from main_intermediate.int_journey_message_outcomes"
                                          " where message_id = 'm_settled'")
    new_windows_reconnects = warehouse.query("select views_followed_by_reconnect from main_intermediate.int_setup_status_signals")
    return {"late_loads": late_loads, "computed": computed, "backfilled": backfilled, "outcome": outcome,
            "incremental_and_full": incremental_and_full, "full_refresh_late_loads": full_refresh_late_loads,
            "new_windows": new_windows, "new_windows_outcome": new_windows_outcome,
            "new_windows_reconnects": new_windows_reconnects}


def test_the_row_received_before_the_staging_watermark_is_logged_as_late(story: dict[str, Any]) -> None:
    assert story["late_loads"] == [
        {"event_id": "backfill_2", "account_id": "acc_backfill", "received_at": T - timedelta(hours=5)}
    ]
    # A full refresh stages every row at once: nothing is late.
    assert story["full_refresh_late_loads"] == 0


def test_only_accounts_with_new_or_late_rows_are_recomputed(story: dict[str, Any]) -> None:
    recomputed_at, first_run = T + timedelta(hours=2), T
    assert story["computed"]["int_setups_aggregated"] == {
        "acc_backfill": recomputed_at,  # staged late, in a run the aggregate did not take part in
        "acc_new": recomputed_at,  # received after the aggregate's watermark
        "acc_recent": first_run,  # inside the lookback, but on time and already counted
        "acc_anchor": first_run,
        "acc_settled": first_run,
    }
    # acc_settled's reminder is settled (its window closed): its row is left alone.
    assert story["computed"]["int_journey_message_outcomes"] == {"acc_backfill": recomputed_at,
                                                                  "acc_settled": first_run}
    assert story["computed"]["int_setup_status_signals"] == {"acc_recent": first_run}
    assert story["backfilled"] == [{"event_count": 2, "step_2_first_at": T - timedelta(hours=50)}]
    # The reminder's outcome counts the progress staged late.
    assert story["outcome"] == [{"progressed_to_step_number": 2, "first_progress_at": T - timedelta(hours=50)}]


@pytest.mark.parametrize("model", ACCOUNT_MODELS)
def test_the_runs_equal_a_full_refresh(story: dict[str, Any], model: str) -> None:
    incremental, full = story["incremental_and_full"][model]
    assert sum(full.values()) > 0
    assert incremental == full


def test_new_credit_windows_recompute_the_stored_rows(story: dict[str, Any]) -> None:
    """Changing message_outcome_window_hours or status_view_followup_hours (--vars) between nights
    recomputes the impact models' stored rows, though no account has new events: settled outcomes
    and status views would otherwise keep the credit of the old windows for good."""
    assert story["new_windows_outcome"] == [{"progressed_to_step_number": None, "first_progress_at": None}]
    assert story["new_windows_reconnects"] == [{"views_followed_by_reconnect": 0}]


@pytest.mark.parametrize("model", ACCOUNT_MODELS)
def test_the_run_with_new_windows_equals_a_full_refresh(story: dict[str, Any], model: str) -> None:
    incremental, full = story["new_windows"][model]
    assert sum(full.values()) > 0
    assert incremental == full
