"""Setup state (issue 3): scenario stories end to end, history = rebuild at T, incremental = full refresh.

Three expensive fixtures, each built once per module:
- `scenarios`: one raw dataset with one account per story, built at AS_OF, asserted row by row.
- the session `demo_warehouse`, rebuilt at several past timestamps T on copies (history test).
- `incremental_runs`: the demo raw data loaded in two batches (late events and re-deliveries in
  the second) and built incrementally through several as_of moves, each compared with a fresh
  full refresh of a copy at the same as_of.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import DEMO_AS_OF, Warehouse

AS_OF = "2026-03-10 12:00:00"
T0 = datetime(2026, 3, 10, 12, 0, 0)


def ts(**delta: float) -> datetime:
    """A time relative to AS_OF: ts(days=-1) is one day before."""
    return T0 + timedelta(**delta)


# --------------------------------------------------------------------------------------------
# Scenario stories (end to end from raw.setup_events)
# --------------------------------------------------------------------------------------------

_event_number = 0


def event(account: str, name: str, at: datetime, integration: str | None = "stripe", *,
          user: str | None = "u_eng", received: datetime | None = None, event_id: str | None = None,
          properties: str | None = None) -> dict[str, Any]:
    global _event_number
    _event_number += 1
    return {
        "event_id": event_id or f"ev_{_event_number:04d}",
        "event_name": name,
        "occurred_at": at,
        "received_at": received or at + timedelta(seconds=5),
        "account_id": account,
        "user_id": user,
        "integration_type": integration,
        "properties": properties,
    }


def error(account: str, at: datetime, code: str, integration: str = "stripe", **kwargs: Any) -> dict[str, Any]:
    return event(account, "setup_error_seen", at, integration, properties=f'{{"error_code": "{code}"}}', **kwargs)


STORIES: dict[str, list[dict[str, Any]]] = {
    # Completion received first, start received a day later (out of order): same reached times.
    "sc_out_of_order": [
        event("sc_out_of_order", "first_api_call_success", ts(days=-2, hours=3), received=ts(days=-2, hours=3)),
        event("sc_out_of_order", "api_key_created", ts(days=-2, hours=1), received=ts(days=-1)),
        event("sc_out_of_order", "integration_started", ts(days=-2), received=ts(days=-1)),
    ],
    # Only the last step: every step reached at that time, completed.
    "sc_completion_only": [event("sc_completion_only", "sync_completed", ts(days=-3), "hubspot")],
    # Step 2 after as_of is invisible; so is a later completion.
    "sc_after_as_of": [
        event("sc_after_as_of", "integration_started", ts(hours=-5)),
        event("sc_after_as_of", "api_key_created", ts(seconds=1), received=ts(hours=-1)),
        event("sc_after_as_of", "first_api_call_success", ts(hours=3), received=ts(hours=-1)),
    ],
    # Restarted twice: one setup, first starter kept, progress kept.
    "sc_restart": [
        event("sc_restart", "integration_started", ts(days=-2), user="u_first"),
        event("sc_restart", "api_key_created", ts(days=-2, hours=1), user="u_first"),
        event("sc_restart", "integration_started", ts(days=-1), user="u_second"),
        event("sc_restart", "Integration-Started ", ts(hours=-3), user="u_second"),
    ],
    # Error after the last progress: blocked.
    "sc_error_after_progress": [
        event("sc_error_after_progress", "integration_started", ts(hours=-6)),
        event("sc_error_after_progress", "api_key_created", ts(hours=-5)),
        error("sc_error_after_progress", ts(hours=-4), "invalid_api_key"),
    ],
    # Error before progress, then progress: in_progress.
    "sc_error_before_progress": [
        event("sc_error_before_progress", "integration_started", ts(hours=-6)),
        error("sc_error_before_progress", ts(hours=-5), "invalid_api_key"),
        event("sc_error_before_progress", "api_key_created", ts(hours=-4)),
    ],
    # An error in the same second as a step (event_id sorts first): errors sort after steps.
    "sc_tie": [
        event("sc_tie", "integration_started", ts(hours=-6)),
        event("sc_tie", "api_key_created", ts(hours=-4), event_id="zz_step"),
        error("sc_tie", ts(hours=-4), "rate_limited", event_id="aa_error"),
    ],
    # Last event exactly abandoned_after_days ago: abandoned (>=).
    "sc_abandoned_exact": [
        event("sc_abandoned_exact", "integration_started", ts(days=-9)),
        error("sc_abandoned_exact", ts(days=-7), "invalid_api_key"),
    ],
    # One second less: still blocked (latest event an error).
    "sc_abandoned_almost": [
        event("sc_abandoned_almost", "integration_started", ts(days=-9)),
        error("sc_abandoned_almost", ts(days=-7, seconds=1), "invalid_api_key"),
    ],
    # A signal keeps the setup alive (any event of the setup counts).
    "sc_signal_keeps_alive": [
        event("sc_signal_keeps_alive", "integration_started", ts(days=-9)),
        event("sc_signal_keeps_alive", "setup_docs_viewed", ts(days=-1)),
    ],
    # An old completed setup stays completed.
    "sc_completed_old": [
        event("sc_completed_old", "integration_started", ts(days=-30), "slack"),
        event("sc_completed_old", "integration_connected", ts(days=-30, hours=1), "slack"),
        event("sc_completed_old", "sync_completed", ts(days=-29), "slack"),
    ],
    # Not in the catalog: default row (api path), kept.
    "sc_unknown_type": [
        event("sc_unknown_type", "integration_started", ts(hours=-10), "Zendesk"),
        event("sc_unknown_type", "api_key_created", ts(hours=-9), "zendesk"),
    ],
    # Only a docs view for an integration: not started, not in the marts.
    "sc_signal_only": [event("sc_signal_only", "setup_docs_viewed", ts(hours=-2))],
    # Account not in raw.accounts: in int_setup_state, not in the marts.
    "sc_no_account": [event("sc_no_account", "integration_started", ts(hours=-2))],
    # Never started (no events at all).
    "sc_never": [],
}

ACCOUNTS = [
    {"account_id": account, "account_name": account, "plan_tier": "pro", "signed_up_at": ts(days=-40),
     "acquisition_source": "organic", "updated_at": ts(days=-40)}
    for account in STORIES
    if account != "sc_no_account"
]


@pytest.fixture(scope="module")
def scenarios(new_warehouse) -> Warehouse:
    warehouse = new_warehouse("setup_state_scenarios")
    warehouse.load_raw({
        "setup_events": [row for rows in STORIES.values() for row in rows],
        "accounts": ACCOUNTS,
        "users": [{"user_id": "u_eng", "account_id": "sc_restart", "role": "engineer", "email": "e@x.io",
                   "created_at": ts(days=-40), "updated_at": ts(days=-40)}],
    })
    warehouse.build(AS_OF)
    return warehouse


def setup_row(warehouse: Warehouse, account: str, table: str = "account_integration_state") -> dict[str, Any]:
    rows = warehouse.query(f"select * from {table} where account_id = ?", [account])
    assert len(rows) == 1, f"{account}: expected one setup in {table}, got {rows}"
    return rows[0]


EXPECTED_SETUPS = {
    # account: status, started_at, completed_at, last_progress_at, next_required_step
    "sc_out_of_order": ("completed", ts(days=-2), ts(days=-2, hours=3), ts(days=-2, hours=3), None),
    "sc_completion_only": ("completed", ts(days=-3), ts(days=-3), ts(days=-3), None),
    "sc_after_as_of": ("in_progress", ts(hours=-5), None, ts(hours=-5), "api_key_created"),
    "sc_restart": ("in_progress", ts(days=-2), None, ts(days=-2, hours=1), "test_event_sent"),
    "sc_error_after_progress": ("blocked", ts(hours=-6), None, ts(hours=-5), "test_event_sent"),
    "sc_error_before_progress": ("in_progress", ts(hours=-6), None, ts(hours=-4), "test_event_sent"),
    "sc_tie": ("blocked", ts(hours=-6), None, ts(hours=-4), "test_event_sent"),
    "sc_abandoned_exact": ("abandoned", ts(days=-9), None, ts(days=-9), "api_key_created"),
    "sc_abandoned_almost": ("blocked", ts(days=-9), None, ts(days=-9), "api_key_created"),
    "sc_signal_keeps_alive": ("in_progress", ts(days=-9), None, ts(days=-9), "api_key_created"),
    "sc_completed_old": ("completed", ts(days=-30), ts(days=-29), ts(days=-29), None),
    "sc_unknown_type": ("in_progress", ts(hours=-10), None, ts(hours=-9), "test_event_sent"),
}


@pytest.mark.parametrize("account", sorted(EXPECTED_SETUPS))
def test_setup_status_and_progress(scenarios: Warehouse, account: str) -> None:
    row = setup_row(scenarios, account)
    actual = (row["status"], row["started_at"], row["completed_at"], row["last_progress_at"],
              row["next_required_step"])
    assert actual == EXPECTED_SETUPS[account]


def test_implied_progress_fills_earlier_steps(scenarios: Warehouse) -> None:
    row = setup_row(scenarios, "sc_completion_only")
    assert [row[f"step_{step}_reached_at"] for step in (1, 2, 3)] == [ts(days=-3)] * 3
    assert row["step_4_reached_at"] is None and row["step_count"] == 3 and row["is_completed"]


def test_events_after_as_of_are_invisible(scenarios: Warehouse) -> None:
    row = setup_row(scenarios, "sc_after_as_of")
    assert (row["event_count"], row["last_event_at"], row["highest_reached_step"]) == (1, ts(hours=-5), 1)


def test_restarts_belong_to_the_same_setup(scenarios: Warehouse) -> None:
    row = setup_row(scenarios, "sc_restart")
    assert (row["start_count"], row["restart_count"], row["starter_user_id"], row["highest_reached_step"]) == (
        3, 2, "u_first", 2)


def test_errors_relative_to_progress(scenarios: Warehouse) -> None:
    after = setup_row(scenarios, "sc_error_after_progress")
    before = setup_row(scenarios, "sc_error_before_progress")
    assert (after["is_last_error_after_progress"], after["last_error_code"], after["last_error_class"]) == (
        True, "invalid_api_key", "auth")
    assert (before["is_last_error_after_progress"], before["error_count"], before["is_last_event_error"]) == (
        False, 1, False)


def test_tie_orders_errors_after_steps(scenarios: Warehouse) -> None:
    row = setup_row(scenarios, "sc_tie")
    assert (row["last_event_name"], row["is_last_event_error"], row["last_error_code"]) == (
        "setup_error_seen", True, "rate_limited")


def test_abandoned_at_threshold(scenarios: Warehouse) -> None:
    assert setup_row(scenarios, "sc_abandoned_exact")["abandoned_at"] == T0
    assert setup_row(scenarios, "sc_abandoned_almost")["abandoned_at"] is None


def test_unknown_type_takes_default_row(scenarios: Warehouse) -> None:
    row = setup_row(scenarios, "sc_unknown_type")
    assert (row["integration_type"], row["setup_path"], row["is_missing_from_catalog"], row["display_name"]) == (
        "zendesk", "api", True, "Other integration")


def test_not_started_and_unknown_accounts(scenarios: Warehouse) -> None:
    internal = scenarios.query(
        "select account_id, status from main_intermediate.int_setup_state "
        "where account_id in ('sc_signal_only', 'sc_no_account') order by account_id")
    assert internal == [{"account_id": "sc_no_account", "status": "in_progress"},
                        {"account_id": "sc_signal_only", "status": "not_started"}]
    in_mart = scenarios.query(
        "select account_id from account_integration_state where account_id in ('sc_signal_only', 'sc_no_account')")
    assert in_mart == []


def test_account_setup_state_every_account(scenarios: Warehouse) -> None:
    rows = {row["account_id"]: row for row in scenarios.query("select * from account_setup_state")}
    assert set(rows) == {account["account_id"] for account in ACCOUNTS}
    expected = {
        "sc_never": ("not_started", 0, 0, None, None),
        "sc_signal_only": ("not_started", 0, 0, None, None),
        "sc_completion_only": ("completed", 1, 1, ts(days=-3), ts(days=-3)),
        "sc_tie": ("in_progress", 1, 0, ts(hours=-6), None),
        "sc_abandoned_exact": ("in_progress", 1, 0, ts(days=-9), None),
    }
    for account, values in expected.items():
        row = rows[account]
        actual = (row["setup_stage"], row["integrations_started"], row["integrations_completed"],
                  row["first_started_at"], row["first_completed_at"])
        assert actual == values, account
        assert row["is_setup_complete"] == (values[0] == "completed")


# --------------------------------------------------------------------------------------------
# History: the interval containing T equals the state rebuilt with as_of = T
# --------------------------------------------------------------------------------------------

STATE_COLUMNS = ["setup_stage", "integrations_started", "integrations_completed", "first_started_at",
                 "first_completed_at", "is_setup_complete"]
STATE_MODELS = "+account_setup_state"


def history_at(warehouse: Warehouse, at: datetime) -> dict[str, tuple]:
    rows = warehouse.query(
        f"select account_id, {', '.join(STATE_COLUMNS)} from account_setup_state_history "
        "where (valid_from is null or valid_from <= ?) and (valid_to is null or ? < valid_to)", [at, at])
    by_account = {row["account_id"]: tuple(row[column] for column in STATE_COLUMNS) for row in rows}
    assert len(by_account) == len(rows), "history intervals overlap"
    return by_account


def state_of(warehouse: Warehouse) -> dict[str, tuple]:
    rows = warehouse.query(f"select account_id, {', '.join(STATE_COLUMNS)} from account_setup_state")
    return {row["account_id"]: tuple(row[column] for column in STATE_COLUMNS) for row in rows}


def copy_of(warehouse: Warehouse, folder: Path, name: str) -> Warehouse:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.duckdb"
    shutil.copyfile(warehouse.path, target)
    return Warehouse(target)


def history_timestamps(demo: Warehouse) -> dict[str, datetime]:
    """Timestamps chosen from the demo data so each kind of boundary is exercised."""
    picks = demo.query(
        """
        select
            quantile_disc(signed_up_at, 0.5) as median_signup,
            quantile_disc(first_started_at, 0.5) as median_start
        from account_setup_state
        """
    )[0]
    between = demo.query(
        """
        select first_started_at + (first_completed_at - first_started_at) / 2 as midpoint
        from account_setup_state
        where first_completed_at > first_started_at + interval 1 hour
        order by account_id
        limit 1
        """
    )[0]["midpoint"]
    return {
        "before_many_signups": picks["median_signup"] - timedelta(seconds=1),
        "exactly_at_a_start": picks["median_start"],
        "between_start_and_completion": between,
        "after_completions": datetime.fromisoformat(DEMO_AS_OF) - timedelta(hours=6),
    }


@pytest.fixture(scope="module")
def rebuilt_states(demo_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("history_rebuilds")
    results: dict[str, Any] = {}
    for label, at in history_timestamps(demo_warehouse).items():
        copy = copy_of(demo_warehouse, folder, label)
        copy.dbt("run", "--full-refresh", "--select", STATE_MODELS, as_of=at.strftime("%Y-%m-%d %H:%M:%S"))
        results[label] = (at, state_of(copy))
        copy.path.unlink()
    return results


@pytest.mark.parametrize("label", ["before_many_signups", "exactly_at_a_start", "between_start_and_completion",
                                   "after_completions"])
def test_history_interval_equals_rebuild(demo_warehouse: Warehouse, rebuilt_states: dict[str, Any],
                                         label: str) -> None:
    at, rebuilt = rebuilt_states[label]
    history = history_at(demo_warehouse, at)
    assert rebuilt, f"rebuild at {at} has no accounts"
    missing = set(rebuilt) ^ set(history)
    assert not missing, f"{label} ({at}): accounts in only one side: {sorted(missing)[:10]}"
    differing = {account: (history[account], rebuilt[account]) for account in rebuilt
                 if history[account] != rebuilt[account]}
    assert not differing, f"{label} ({at}): history vs rebuild differ: {list(differing.items())[:5]}"


def test_history_timestamps_exercise_every_stage(demo_warehouse: Warehouse, rebuilt_states: dict[str, Any]) -> None:
    stages = Counter(state[0] for _, rebuilt in rebuilt_states.values() for state in rebuilt.values())
    assert set(stages) == {"not_started", "in_progress", "completed"}
    before_at, before = rebuilt_states["before_many_signups"]
    assert len(before) < demo_warehouse.scalar("select count(*) from account_setup_state")


def test_the_mart_copies_every_setup_state_column_but_the_bookkeeping(demo_warehouse: Warehouse) -> None:
    """account_integration_state lists int_setup_state's columns one by one (so the bookkeeping of
    the incremental runs stays out of the mart): a column added upstream must be added there too."""
    def columns(table: str) -> set[str]:
        return {row["column_name"] for row in demo_warehouse.query(
            f"select column_name from information_schema.columns where table_schema || '.' || table_name = '{table}'")}

    upstream = columns("main_intermediate.int_setup_state")
    mart = columns("main.account_integration_state")
    assert upstream and mart
    assert upstream - mart == {"computed_as_of", "rules_fingerprint"}


def test_history_is_contiguous(demo_warehouse: Warehouse) -> None:
    broken = demo_warehouse.query(
        """
        select account_id, valid_from, valid_to, next_from
        from (
            select
                account_id, valid_from, valid_to,
                lead(valid_from) over (partition by account_id order by valid_from nulls first) as next_from
            from account_setup_state_history
        )
        where valid_to is distinct from next_from
        """
    )
    assert broken == []
    current = demo_warehouse.query(
        "select s.account_id from account_setup_state as s left join account_setup_state_history as h "
        "on s.account_id = h.account_id and h.is_current and h.setup_stage = s.setup_stage where h.account_id is null")
    assert current == []


# --------------------------------------------------------------------------------------------
# Incremental runs equal a full refresh
# --------------------------------------------------------------------------------------------

SPLIT_HOURS = 48
IGNORED_COLUMNS = {"computed_as_of"}  # bookkeeping: when the account was last recomputed


def read_raw(path: Path) -> dict[str, list[dict[str, Any]]]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = {}
        for table in ("setup_events", "accounts", "users", "message_sends"):
            cursor = con.execute(f"select * from raw.{table}")
            names = [description[0] for description in cursor.description]
            tables[table] = [dict(zip(names, row)) for row in cursor.fetchall()]
        return tables


def split_batches(raw: dict[str, list[dict[str, Any]]]) -> tuple[dict, dict, dict[str, int]]:
    """First batch: everything received up to SPLIT_HOURS before the newest row. Second batch: the
    rest, plus late events (old occurred_at, new received_at), re-deliveries of first-batch rows and
    late message sends (every 7th send, whatever its sent_at: some were visible at the first as_of)."""
    events = raw["setup_events"]
    newest = max(row["received_at"] for row in events if row["received_at"] is not None)
    cutoff = newest - timedelta(hours=SPLIT_HOURS)
    first = [row for row in events if row["received_at"] is None or row["received_at"] <= cutoff]
    second = [row for row in events if row["received_at"] is not None and row["received_at"] > cutoff]
    visible_old = [row for row in first if row["occurred_at"] is not None and row["event_id"] is not None
                   and row["account_id"] is not None and row["integration_type"] is not None]
    late = [
        {**row, "event_id": f"late_{index}", "event_name": "integration_reconnect_attempted",
         "occurred_at": row["occurred_at"] + timedelta(minutes=1), "received_at": newest - timedelta(hours=1)}
        for index, row in enumerate(visible_old[::25])
    ]
    redelivered = [{**row, "received_at": newest - timedelta(hours=2)} for row in visible_old[3::30]]
    sends = raw["message_sends"]
    late_sends = sends[::7]
    counts = {"first": len(first), "second": len(second), "late": len(late), "redelivered": len(redelivered),
              "late_sends": len(late_sends)}
    return (
        {**raw, "setup_events": first, "message_sends": [row for index, row in enumerate(sends) if index % 7]},
        {"setup_events": second + late + redelivered, "message_sends": late_sends},
        counts,
    )


def compared_tables(warehouse: Warehouse) -> list[str]:
    rows = warehouse.query(
        "select table_schema || '.' || table_name as name from information_schema.tables "
        "where table_schema = 'main' and table_type = 'BASE TABLE' order by 1")
    return [row["name"] for row in rows] + ["main_intermediate.int_setups_aggregated",
                                             "main_intermediate.int_setup_state",
                                             "main_intermediate.int_journey_message_outcomes",
                                             "main_intermediate.int_setup_status_signals",
                                             "main_staging.stg_raw__setup_events"]


def table_rows(warehouse: Warehouse, table: str) -> Counter:
    with warehouse.connect() as con:
        columns = [row[0] for row in con.execute(f"describe {table}").fetchall() if row[0] not in IGNORED_COLUMNS]
        rows = con.execute(f"select {', '.join(columns)} from {table}").fetchall()
    return Counter(rows)


def differences(incremental: Warehouse, expected: dict[str, Counter]) -> dict[str, str]:
    out = {}
    for table, right in expected.items():
        left = table_rows(incremental, table)
        if left != right:
            out[table] = (f"{sum(left.values())} vs {sum(right.values())} rows; only incremental: "
                          f"{list((left - right).elements())[:2]}; only full: {list((right - left).elements())[:2]}")
    return out


# The incremental models and the marts they feed, with their parents (a dbt invocation costs
# ~10-30 s: select, and reuse a full refresh when raw data and as_of are unchanged).
INCREMENTAL_SELECTION = "+account_setup_state_history +journey_message_outcomes +integration_status_confusion"


@pytest.fixture(scope="module")
def incremental_runs(new_warehouse, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from setup_journeys.demo import write_demo

    folder = tmp_path_factory.mktemp("incremental_runs")
    source = folder / "source.duckdb"
    write_demo(source)
    first, second, counts = split_batches(read_raw(source))
    incremental = new_warehouse("setup_state_incremental")
    incremental.load_raw(first)

    demo_as_of = datetime.fromisoformat(DEMO_AS_OF)
    steps = [
        ("first batch", demo_as_of - timedelta(hours=SPLIT_HOURS), None),
        ("second batch with late events and re-deliveries", demo_as_of, second),
        ("as_of one day later, no new data", demo_as_of + timedelta(days=1), None),
        ("as_of moved back three days", demo_as_of - timedelta(days=3), None),
        ("as_of forward again", demo_as_of + timedelta(days=1), None),
    ]
    results: dict[str, Any] = {"counts": counts, "row_counts": {}}
    full_refresh_rows: dict[str, dict[str, Counter]] = {}  # as_of -> table -> rows (raw fixed after step 2)
    for index, (label, as_of, batch) in enumerate(steps):
        if batch is not None:
            incremental.load_raw(batch, replace=False)
            full_refresh_rows.clear()
        as_of_text = as_of.strftime("%Y-%m-%d %H:%M:%S")
        if index == 0:
            # Seeds, models and the tests whose every parent is selected.
            incremental.dbt("build", "--select", INCREMENTAL_SELECTION, "--indirect-selection", "cautious",
                            as_of=as_of_text)
            continue
        incremental.dbt("run", "--select", INCREMENTAL_SELECTION, as_of=as_of_text)
        if as_of_text not in full_refresh_rows:
            full = copy_of(incremental, folder, "full_refresh")
            full.dbt("run", "--full-refresh", "--select", INCREMENTAL_SELECTION, as_of=as_of_text)
            full_refresh_rows[as_of_text] = {table: table_rows(full, table) for table in compared_tables(full)}
            full.path.unlink()
        expected = full_refresh_rows[as_of_text]
        results[label] = differences(incremental, expected)
        results["row_counts"][label] = min(
            sum(expected[table].values()) for table in ("main.account_integration_state",
                                                        "main_intermediate.int_journey_message_outcomes",
                                                        "main_intermediate.int_setup_status_signals"))
    return results


@pytest.mark.parametrize("label", ["second batch with late events and re-deliveries",
                                   "as_of one day later, no new data", "as_of moved back three days",
                                   "as_of forward again"])
def test_incremental_equals_full_refresh(incremental_runs: dict[str, Any], label: str) -> None:
    assert incremental_runs["counts"]["second"] > 0 and incremental_runs["counts"]["late"] > 0
    assert incremental_runs["counts"]["redelivered"] > 0 and incremental_runs["counts"]["late_sends"] > 0
    assert incremental_runs["row_counts"][label] > 0
    assert incremental_runs[label] == {}
