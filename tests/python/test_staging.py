"""Scenario tests for staging (SPEC 2, 3, 7): dedup, normalisation, quarantine, CDC, incremental loads.

One raw dataset of small stories is built once; each test states the rows it expects.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import datetime, timedelta

import duckdb
import pytest

from conftest import PROJECT_DIR, Warehouse

AS_OF = "2026-03-10 12:00:00"
T0 = datetime(2026, 3, 1, 9, 0, 0)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def event(event_id, name, occurred_h, received_h, account="acc_stage", user="u_stage",
          integration="salesforce", properties="{}"):
    return {
        "event_id": event_id,
        "event_name": name,
        "occurred_at": None if occurred_h is None else at(occurred_h),
        "received_at": None if received_h is None else at(received_h),
        "account_id": account,
        "user_id": user,
        "integration_type": integration,
        "properties": properties,
    }


FIRST_BATCH_EVENTS = [
    # Normalisation of names and integration types.
    event("n1", "  Integration-Started", 0, 0.01, integration=" SALESFORCE "),
    event("n2", "Integration   Connected", 1, 1.01, integration="Sales-Force"),
    event("n3", "sync--completed", 2, 2.01, integration="salesforce"),
    # The same event_id three times: the earliest received_at is kept.
    event("d1", "api_key_created", 3, 3.50, integration="stripe", properties='{"environment": "Production"}'),
    event("d1", "api_key_created", 3, 3.10, integration="stripe", properties='{"environment": "Production"}'),
    event("d1", "api_key_created", 3, 9.00, integration="stripe", properties='{"environment": "Production"}'),
    # Null event_id: a deterministic id; the exact re-delivery collapses, a different row does not.
    event(None, "setup_error_seen", 4, 4.01, integration="stripe", properties='{"error_code": "Invalid-API-Key"}'),
    event(None, "setup_error_seen", 4, 6.00, integration="stripe", properties='{"error_code": "Invalid-API-Key"}'),
    event(None, "setup_error_seen", 5, 5.01, integration="stripe", properties='{"error_code": "rate_limited"}'),
    # Errors without a code default to their own name; malformed JSON keeps the event, flagged.
    event("j1", "auth_failed", 6, 6.01, integration="hubspot", properties="{error_code: oops"),
    event("j2", "sync_failed", 6.5, 6.51, integration="hubspot", properties="not json"),
    event("j3", "dns_check_failed", 7, 7.01, integration="sending_domain", properties=None),
    event("j4", "integration_status_viewed", 7.5, 7.51, integration="hubspot", properties='{"status": "Pending"}'),
    # Account-level signal without integration_type is fine.
    event("s1", "pricing_viewed", 8, 8.01, integration=None),
    # Quarantine: one row per reason.
    event("q1", "integration_started", 1, 1.01, account=None),
    event("q2", "integration_started", None, 1.01),
    event("q3", "foo_bar", 1, 1.01),
    event("q4", "api_key_created", 1, 1.01, integration=None),
    event("q5", "integration_started", 30, 1.0),
    event("q6", "integration_started", 1, None),
    # A client clock at the epoch: before min_occurred_at (2000-01-01), it would open a 1970 cohort.
    event("q8", "integration_started", -491_361, 1.01),
    # Exact duplicate quarantined rows are both kept (nothing is lost).
    event("q3", "foo_bar", 1, 1.01),
]

ACCOUNTS = [
    {"account_id": "acc_stage", "account_name": "Old name", "plan_tier": "free", "signed_up_at": at(-48),
     "acquisition_source": "Organic", "updated_at": at(-48)},
    {"account_id": "acc_stage", "account_name": "Stage Co", "plan_tier": " Enterprise", "signed_up_at": at(-48),
     "acquisition_source": "Organic", "updated_at": at(-1)},
]
USERS = [
    {"user_id": "u_stage", "account_id": "acc_stage", "email": " Ada@Example.com", "role": "member",
     "email_opt_out": False, "created_at": at(-48), "updated_at": at(-48)},
    {"user_id": "u_stage", "account_id": "acc_stage", "email": "ada@example.com", "role": "Admin",
     "email_opt_out": None, "created_at": at(-48), "updated_at": at(-2)},
]

SECOND_BATCH_EVENTS = [
    # Re-delivery of an event staged in the first run (later received_at): a duplicate.
    event("n1", "integration_started", 0, 40, integration="salesforce"),
    # A late event: old occurred_at, new received_at.
    event("late1", "test_event_sent", 3.5, 41, integration="stripe"),
    # A brand-new event and a new dirty row.
    event("new1", "first_api_call_success", 40, 40.5, integration="stripe"),
    event("q7", "unknown thing", 40, 40.5),
]


def _counts(warehouse: Warehouse) -> dict[str, int]:
    return warehouse.query(
        """
        select
            (select count(*) from raw.setup_events) as raw_rows,
            (select count(*) from main_staging.stg_raw__setup_events) as staged,
            (select count(*) from main_staging.stg_raw__setup_events_duplicates) as duplicates,
            (select count(*) from main.setup_events_quarantine) as quarantined
        """
    )[0]


@pytest.fixture(scope="module")
def staged(new_warehouse) -> Warehouse:
    warehouse = new_warehouse("staging")
    warehouse.load_raw({"setup_events": FIRST_BATCH_EVENTS, "accounts": ACCOUNTS, "users": USERS})
    warehouse.build(AS_OF)
    return warehouse


def test_names_and_integration_types_are_normalised(staged: Warehouse) -> None:
    rows = staged.query(
        "select event_id, event_name, integration_type from main_staging.stg_raw__setup_events"
        " where event_id in ('n1', 'n2', 'n3') order by event_id"
    )
    assert rows == [
        {"event_id": "n1", "event_name": "integration_started", "integration_type": "salesforce"},
        {"event_id": "n2", "event_name": "integration_connected", "integration_type": "sales_force"},
        {"event_id": "n3", "event_name": "sync_completed", "integration_type": "salesforce"},
    ]


def test_earliest_arrival_of_an_event_id_is_kept(staged: Warehouse) -> None:
    rows = staged.query("select received_at, environment from main_staging.stg_raw__setup_events where event_id = 'd1'")
    assert rows == [{"received_at": at(3.10), "environment": "production"}]
    removed = staged.query(
        "select received_at, arrival_number, kept_received_at from main_staging.stg_raw__setup_events_duplicates"
        " where event_id = 'd1' order by arrival_number"
    )
    assert removed == [
        {"received_at": at(3.50), "arrival_number": 2, "kept_received_at": at(3.10)},
        {"received_at": at(9.00), "arrival_number": 3, "kept_received_at": at(3.10)},
    ]


def test_null_event_ids_get_a_deterministic_id_and_exact_redeliveries_collapse(staged: Warehouse) -> None:
    rows = staged.query(
        "select event_id, error_code, received_at from main_staging.stg_raw__setup_events"
        " where has_generated_event_id order by occurred_at"
    )
    assert [(row["error_code"], row["received_at"]) for row in rows] == [
        ("invalid_api_key", at(4.01)),
        ("rate_limited", at(5.01)),
    ]
    assert all(row["event_id"].startswith("gen_") for row in rows)
    assert rows[0]["event_id"] != rows[1]["event_id"]
    assert staged.scalar(
        "select count(*) from main_staging.stg_raw__setup_events_duplicates where has_generated_event_id"
    ) == 1


def test_error_codes_default_and_malformed_json_is_flagged_not_dropped(staged: Warehouse) -> None:
    rows = staged.query(
        "select event_id, error_code, has_malformed_properties, properties, integration_status"
        " from main_staging.stg_raw__setup_events where event_id like 'j%' order by event_id"
    )
    assert rows == [
        {"event_id": "j1", "error_code": "auth_failed", "has_malformed_properties": True, "properties": None,
         "integration_status": None},
        {"event_id": "j2", "error_code": "sync_failed", "has_malformed_properties": True, "properties": None,
         "integration_status": None},
        {"event_id": "j3", "error_code": "dns_check_failed", "has_malformed_properties": False, "properties": None,
         "integration_status": None},
        {"event_id": "j4", "error_code": None, "has_malformed_properties": False, "properties": '{"status": "Pending"}',
         "integration_status": "pending"},
    ]


def test_every_quarantine_reason_is_recorded_with_the_raw_row(staged: Warehouse) -> None:
    rows = staged.query(
        "select event_id, event_name, reject_reason from main.setup_events_quarantine order by event_id, reject_reason"
    )
    assert rows == [
        {"event_id": "q1", "event_name": "integration_started", "reject_reason": "missing_account_id"},
        {"event_id": "q2", "event_name": "integration_started", "reject_reason": "missing_occurred_at"},
        {"event_id": "q3", "event_name": "foo_bar", "reject_reason": "unknown_event_name"},
        {"event_id": "q3", "event_name": "foo_bar", "reject_reason": "unknown_event_name"},
        {"event_id": "q4", "event_name": "api_key_created", "reject_reason": "missing_integration_type"},
        {"event_id": "q5", "event_name": "integration_started", "reject_reason": "occurred_after_received"},
        {"event_id": "q6", "event_name": "integration_started", "reject_reason": "missing_received_at"},
        {"event_id": "q8", "event_name": "integration_started", "reject_reason": "occurred_before_floor"},
    ]
    floor_row = staged.query("select occurred_at from main.setup_events_quarantine where event_id = 'q8'")
    assert floor_row == [{"occurred_at": at(-491_361)}] and at(-491_361).year == 1970


def test_every_raw_row_is_staged_removed_or_quarantined(staged: Warehouse) -> None:
    counts = _counts(staged)
    assert counts == {"raw_rows": len(FIRST_BATCH_EVENTS), "staged": 11, "duplicates": 3, "quarantined": 8}


def test_cdc_keeps_the_latest_row(staged: Warehouse) -> None:
    assert staged.query("select account_name, plan_tier, cdc_row_count from main_staging.stg_raw__accounts") == [
        {"account_name": "Stage Co", "plan_tier": "enterprise", "cdc_row_count": 2}
    ]
    assert staged.query("select email, role, is_admin, is_email_opt_out from main_staging.stg_raw__users") == [
        {"email": "ada@example.com", "role": "admin", "is_admin": True, "is_email_opt_out": False}
    ]


def test_the_project_generic_tests_report_the_bad_rows(staged: Warehouse, tmp_path) -> None:
    """unique_and_not_null checks a table's key and its required columns in one dbt node: a key repeated
    (nulls compare equal, as in unique_combination) and a row without a required column each fail it,
    each returned with what failed; a null in a key column that is not required passes. The duplicates'
    relationships test, scoped to the run's rows, reports a duplicate whose event was never staged."""
    broken = Warehouse(tmp_path / "broken.duckdb")
    shutil.copy(staged.path, broken.path)
    with duckdb.connect(str(broken.path)) as con:
        for account_id, integration_type, computed_as_of in (
            ("acc_key_twice", None, AS_OF), ("acc_key_twice", None, AS_OF),  # repeated key, null-safe
            ("acc_key_no_as_of", "salesforce", None),                         # required column missing
            ("acc_key_ok", None, AS_OF),                                      # null key column allowed
        ):
            con.execute("insert into main_intermediate.int_setups_aggregated (account_id, integration_type,"
                        " computed_as_of) values (?, ?, ?)", [account_id, integration_type, computed_as_of])
        con.execute("insert into main_staging.stg_raw__setup_events_duplicates (duplicate_id, event_id)"
                    " values ('dup_orphan', 'never_staged')")
    result = broken.dbt("test", "--select", "test_name:unique_and_not_null,int_setups_aggregated"
                        " test_name:relationships,stg_raw__setup_events_duplicates",
                        "--store-failures", as_of=AS_OF, raise_on_failure=False)
    by_test = {(node_result.node.test_metadata.name, node_result.node.attached_node.split(".")[-1]): node_result
               for node_result in result.result if node_result.node.resource_type == "test"}
    key_test = by_test["unique_and_not_null", "int_setups_aggregated"]
    relationships = by_test["relationships", "stg_raw__setup_events_duplicates"]
    assert (str(key_test.status), key_test.failures) == ("fail", 2)
    assert broken.query(
        f"select account_id, integration_type, row_count, failure from {key_test.node.relation_name}"
        " order by account_id"
    ) == [
        {"account_id": "acc_key_no_as_of", "integration_type": "salesforce", "row_count": 1,
         "failure": "required column null"},
        {"account_id": "acc_key_twice", "integration_type": None, "row_count": 2, "failure": "key repeated"},
    ]
    assert (str(relationships.status), relationships.failures) == ("fail", 1)
    assert broken.query(f"select from_field from {relationships.node.relation_name}") == [
        {"from_field": "never_staged"}]


def test_second_incremental_run_picks_up_late_and_redelivered_events(staged: Warehouse, tmp_path) -> None:
    staged.load_raw({"setup_events": SECOND_BATCH_EVENTS}, replace=False)
    staged.build(AS_OF)
    counts = _counts(staged)
    assert counts == {"raw_rows": len(FIRST_BATCH_EVENTS) + 4, "staged": 13, "duplicates": 4, "quarantined": 9}
    assert staged.query(
        "select event_id, received_at from main_staging.stg_raw__setup_events where event_id in ('n1', 'late1')"
        " order by event_id"
    ) == [{"event_id": "late1", "received_at": at(41)}, {"event_id": "n1", "received_at": at(0.01)}]

    # After an incremental run the ranked batch holds that run's rows only (here a 1 h window):
    # rebuilding the staged events alone from it would drop history, so the run stops with what to
    # do and the staged table keeps every row.
    alone = Warehouse(tmp_path / "alone.duckdb")
    shutil.copy(staged.path, alone.path)
    alone.dbt("run", "--select", "stg_raw__setup_events_ranked", as_of=AS_OF,
              extra_vars={"incremental_lookback_hours": 1})
    batch_rows = alone.query("select count(*) as n from main_staging.stg_raw__setup_events_ranked")[0]["n"]
    assert 0 < batch_rows < counts["raw_rows"]
    result = alone.dbt("run", "--full-refresh", "--select", "stg_raw__setup_events", as_of=AS_OF,
                       raise_on_failure=False)
    assert not result.success
    messages = " ".join(str(node_result.message) for node_result in result.result)
    assert f"holds {batch_rows} of the {counts['raw_rows']} raw rows (only the last run's batch)" in messages
    assert "--select +stg_raw__setup_events" in messages
    assert _counts(alone) == counts

    # Row-level data tests on the staged events check the rows of the run's batch only
    # (`where: __received_in_this_run__`): a bad row received in the batch fails them, one staged
    # before it is not read again. Uniqueness of event_id is checked over the whole table for the
    # event_ids of the batch's rows: dup_in_batch, repeated by a row from a day before, fails it;
    # pairs repeated wholly before the batch (dup_before, and n1 with a copy from a day earlier) are
    # not looked at again. A run whose tests fail adds no row to
    # stg_raw__setup_events_tests_passed (dbt build skips it).
    batch_start = alone.scalar("select min(received_at) from main_staging.stg_raw__setup_events_ranked")
    passed_runs = "select count(*) from main_staging.stg_raw__setup_events_tests_passed"
    runs_before = alone.scalar(passed_runs)
    with duckdb.connect(str(alone.path)) as con:
        for event_id, category, received_at in (("bad_in_batch", "bogus", batch_start),
                                                ("bad_before", "bogus_before", batch_start - timedelta(hours=1)),
                                                ("dup_in_batch", "signal", batch_start),
                                                ("dup_in_batch", "signal", batch_start - timedelta(days=1)),
                                                ("dup_before", "signal", batch_start - timedelta(hours=1)),
                                                ("dup_before", "signal", batch_start - timedelta(hours=1.5))):
            con.execute(
                "insert into main_staging.stg_raw__setup_events (event_id, event_name, event_category,"
                " occurred_at, received_at, account_id) select ?, 'integration_started', ?, ?, ?, 'acc_stage'",
                [event_id, category, received_at, received_at],
            )
        con.execute("insert into main_staging.stg_raw__setup_events (event_id, event_name, event_category,"
                    " occurred_at, received_at, account_id) select 'n1', 'integration_started', 'milestone',"
                    " received_at, received_at - interval 1 day, account_id from main_staging.stg_raw__setup_events"
                    " where event_id = 'n1'")

    def failed_tests(result) -> dict[str, int]:
        return {node_result.node.name: node_result.failures for node_result in result.result
                if str(node_result.status) == "fail"}

    accepted = "accepted_values_stg_raw__setup_events_event_category__milestone__error__signal__activation"
    result = alone.dbt("build", "--select", "stg_raw__setup_events stg_raw__setup_events_tests_passed",
                       as_of=AS_OF, raise_on_failure=False)
    unique = "unique_in_table_for_run_rows_stg_raw__setup_events_event_id"
    assert failed_tests(result) == {accepted: 1, unique: 1}  # 'bogus' and 'dup_in_batch' only
    assert {str(r.status) for r in result.result if r.node.name == "stg_raw__setup_events_tests_passed"} == {"skipped"}
    assert alone.scalar(passed_runs) == runs_before

    # Had the last passing run ended before bad_before arrived, the tests start there instead.
    with duckdb.connect(str(alone.path)) as con:
        con.execute("update main_staging.stg_raw__setup_events_tests_passed set tests_passed_through = ?",
                    [batch_start - timedelta(hours=2)])
    result = alone.dbt("test", "--select", "stg_raw__setup_events", as_of=AS_OF, raise_on_failure=False)
    failed = failed_tests(result)
    assert (failed[accepted], failed[unique]) == (2, 2)  # and 'bogus_before', 'dup_before'

    # Incremental equals full refresh.
    copy = Warehouse(tmp_path / "full.duckdb")
    shutil.copy(staged.path, copy.path)
    copy.build(AS_OF, full_refresh=True)
    for table in ("main_staging.stg_raw__setup_events", "main.setup_events_quarantine"):
        sql = f"select * from {table} order by all"
        assert staged.query(sql) == copy.query(sql), table

    # That full refresh left a batch without the single arrivals, marked as such. Staging from it
    # incrementally without rebuilding it (as after a full refresh that failed before the staged
    # events) could miss those rows, so the run stops and says what to run; with the batch it runs.
    batch_marks = "select distinct is_compact_batch as mark from main_staging.stg_raw__setup_events_ranked"
    assert copy.query(batch_marks) == [{"mark": True}]
    refused = copy.dbt("run", "--select", "stg_raw__setup_events", as_of=AS_OF, raise_on_failure=False)
    assert not refused.success
    messages = " ".join(str(node_result.message) for node_result in refused.result)
    assert "holds the batch of a --full-refresh run" in messages
    assert "--select stg_raw__setup_events_ranked+" in messages
    copy.dbt("run", "--select", "stg_raw__setup_events_ranked stg_raw__setup_events", as_of=AS_OF)
    assert copy.query(batch_marks) == [{"mark": False}]
    assert _counts(copy) == counts


@pytest.mark.parametrize(
    ("vars_yaml", "expected"),
    [
        ('{as_of: "2026-13-45 12:00:00"}', "Var 'as_of' must be a UTC timestamp"),
        ('{as_of: "yesterday"}', "Var 'as_of' must be a UTC timestamp"),
        ("{abandoned_after_days: abc}", "Var 'abandoned_after_days' must be a number of days"),
        ("{holdout_percent: 150}", "Var 'holdout_percent' must be between 0 and 100 percent"),
        ("{high_value_plan_tiers: [platinum]}", "Var 'high_value_plan_tiers' may only hold"),
        ('{min_occurred_at: "1999-13-01"}', "Var 'min_occurred_at' must be a UTC timestamp"),
        # A misspelled var would be ignored silently: it fails, naming the closest valid var.
        ("{abandonned_after_days: 3}", "Did you mean 'abandoned_after_days'?"),
        ("{holdout_pct: 10}", "Did you mean 'holdout_percent'?"),
    ],
)
def test_a_malformed_var_fails_the_run_with_a_clear_message(vars_yaml: str, expected: str, tmp_path) -> None:
    result = subprocess.run(
        [str(PROJECT_DIR / ".venv" / "bin" / "dbt") if (PROJECT_DIR / ".venv" / "bin" / "dbt").exists() else "dbt",
         "run", "--select", "stg_raw__accounts", "--vars", vars_yaml,
         "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--target-path", str(tmp_path / "t")],
        capture_output=True,
        text=True,
        env={"DUCKDB_PATH": str(tmp_path / "vars.duckdb"), "PATH": str(PROJECT_DIR / ".venv" / "bin") + ":/usr/bin:/bin"},
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    assert expected in result.stdout + result.stderr
