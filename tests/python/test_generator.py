"""The demo dataset and the synthetic generator: determinism, coverage of every story and dirty kind, rates."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from setup_journeys import DEMO_AS_OF
from setup_journeys.demo import demo_stories, demo_story_integrations, write_demo
from setup_journeys.synthetic import GeneratorConfig, accounts_for_events, as_of_for, write_next_day, write_synthetic
from setup_journeys.raw_schema import RAW_TABLES

SEGMENTS = [
    "started_no_credentials", "credentials_no_connection", "connected_no_data", "domain_verification_pending",
    "repeated_errors", "auth_scope_denied", "bad_event_shape", "delivery_failing", "reconnect_loop",
    "high_intent_stalled", "needs_admin", "abandoned",
]
JOURNEY_STEPS = [
    "setup_success_handoff", "repeated_failure_troubleshooting", "admin_escalation", "setup_started_confirmation",
    "stalled_setup_help_reminder_1", "stalled_setup_help_reminder_2", "stalled_setup_help_reminder_3",
    "internal_cs_alert",
]
GUARDRAILS = ["guardrail_exit", "guardrail_in_session", "guardrail_frequency_cap", "guardrail_consent",
              "guardrail_superseded", "guardrail_already_sent"]


def table_fingerprints(path: Path) -> dict[str, tuple[int, int, str]]:
    """Per table: row count, an order-independent hash of all rows, and the first rows in storage order."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in RAW_TABLES:
            count, digest = con.execute(f"select count(*), bit_xor(hash(t)) from raw.{table} as t").fetchall()[0]
            head = str(con.execute(f"select * from raw.{table} limit 50").fetchall())
            out[table] = (count, digest, head)
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    write_demo(path)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchall()[0][0]


# -- demo -------------------------------------------------------------------------------------

def test_demo_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.duckdb", tmp_path / "b" / "b.duckdb"
    counts = write_demo(first)
    assert counts == write_demo(second)
    assert table_fingerprints(first) == table_fingerprints(second)
    # Rewriting replaces rather than appends.
    assert write_demo(first) == counts


def test_demo_size_and_tables(demo: duckdb.DuckDBPyConnection) -> None:
    assert 250 <= scalar(demo, "select count(distinct account_id) from raw.accounts") <= 400
    users_per_account = demo.execute(
        "select min(n), max(n) from (select account_id, count(distinct user_id) as n from raw.users group by 1)"
    ).fetchall()[0]
    assert users_per_account == (1, 4)
    assert scalar(demo, "select count(*) from raw.message_sends") >= 3
    roles = {row[0] for row in demo.execute("select distinct role from raw.users").fetchall()}
    assert roles == {"owner", "admin", "engineer", "marketer", "member"}
    tiers = {row[0] for row in demo.execute("select distinct plan_tier from raw.accounts").fetchall()}
    assert tiers == {"free", "starter", "pro", "enterprise"}
    signup_span = scalar(demo, "select date_diff('day', min(signed_up_at), max(signed_up_at)) from raw.accounts")
    assert 50 <= signup_span <= 75
    column_types = demo.execute(
        "select table_name, column_name, data_type from information_schema.columns where table_schema = 'raw'"
    ).fetchall()
    assert {(t, c): d for t, c, d in column_types} == {
        (t, c): d for t, cols in RAW_TABLES.items() for c, d in cols.items()
    }


def test_demo_stories_cover_every_segment_step_and_guardrail() -> None:
    stories = set(demo_stories().values())
    for name in SEGMENTS + JOURNEY_STEPS + GUARDRAILS:
        assert name in stories, name
    assert set(demo_stories()) == set(demo_story_integrations())


def test_every_story_account_is_in_the_data(demo: duckdb.DuckDBPyConnection) -> None:
    users = {row[0] for row in demo.execute("select distinct account_id from raw.users").fetchall()}
    accounts = {row[0] for row in demo.execute("select distinct account_id from raw.accounts").fetchall()}
    event_setups = set(demo.execute(
        "select distinct account_id, lower(trim(integration_type)) from raw.setup_events"
    ).fetchall())
    integrations = demo_story_integrations()
    for account_id, story in demo_stories().items():
        assert account_id in users, account_id
        assert (account_id in accounts) == (story != "account_not_in_raw_accounts"), account_id
        integration = integrations[account_id]
        if integration is not None:
            assert (account_id, integration) in event_setups, account_id


def test_demo_covers_catalog_and_edge_cases(demo: duckdb.DuckDBPyConnection) -> None:
    types = {row[0] for row in demo.execute(
        "select distinct lower(trim(integration_type)) from raw.setup_events where integration_type is not null"
    ).fetchall()}
    assert {"salesforce", "hubspot", "slack", "stripe", "custom_api", "webhook", "sending_domain", "zendesk"} <= types
    as_of = f"timestamp '{DEMO_AS_OF}'"
    assert scalar(demo, f"select count(*) from raw.setup_events where occurred_at > {as_of} "
                        f"and received_at > {as_of}") >= 2
    assert scalar(demo, f"select count(*) from raw.setup_events where occurred_at between {as_of} - interval 30 "
                        f"minute and {as_of}") >= 1
    assert scalar(demo, f"select count(*) from raw.message_sends where sent_at between {as_of} - interval 24 hour "
                        f"and {as_of}") >= 2
    names = {row[0] for row in demo.execute("select distinct event_name from raw.setup_events").fetchall()}
    assert {"setup_docs_viewed", "pricing_viewed", "support_ticket_opened", "integration_status_viewed",
            "integration_setup_completed", "workflow_launched", "integration_reconnect_attempted",
            "auth_failed", "dns_check_failed"} <= names
    # Docs/pricing views with and without integration_type; status views carry a status.
    assert scalar(demo, "select count(distinct integration_type is null) from raw.setup_events "
                        "where event_name in ('setup_docs_viewed', 'pricing_viewed')") == 2
    assert scalar(demo, "select count(*) from raw.setup_events where event_name = 'integration_status_viewed' "
                        "and json_extract_string(properties, '$.status') in ('connected', 'pending', 'error')") >= 3
    # Restarts: integration_started twice for one setup.
    assert scalar(demo, "select count(*) from (select account_id, integration_type from raw.setup_events "
                        "where event_name = 'integration_started' group by all having count(*) >= 2)") >= 1
    # Error codes from the taxonomy plus an unknown one.
    codes = {row[0] for row in demo.execute(
        "select distinct json_extract_string(properties, '$.error_code') from raw.setup_events "
        "where json_valid(properties) and properties like '%error_code%'").fetchall()}
    assert {"oauth_scope_missing", "schema_mismatch", "invalid_api_key", "destination_unreachable",
            "missing_required_property", "weird_timeout"} <= codes
    # CDC: several rows per account and per user, with a plan, role and opt-out change.
    assert scalar(demo, "select count(*) from (select account_id from raw.accounts group by 1 "
                        "having count(distinct plan_tier) >= 3)") >= 1
    assert scalar(demo, "select count(*) from (select user_id from raw.users group by 1 "
                        "having count(distinct role) > 1)") >= 1
    assert scalar(demo, "select count(*) from (select user_id from raw.users group by 1 "
                        "having count(distinct email_opt_out) > 1)") >= 2
    # Accounts that never started a setup.
    assert scalar(demo, "select count(*) from raw.accounts where account_id not in (select account_id from "
                        "raw.setup_events where account_id is not null and event_name = 'integration_started')") >= 20


def test_demo_covers_every_dirty_row_kind(demo: duckdb.DuckDBPyConnection) -> None:
    checks = {
        "event_id delivered twice": "select count(*) from (select event_id from raw.setup_events "
                                    "where event_id is not null group by 1 having count(*) = 2)",
        "event_id delivered three times": "select count(*) from (select event_id from raw.setup_events "
                                          "where event_id is not null group by 1 having count(*) = 3)",
        "null event_id": "select count(*) from raw.setup_events where event_id is null",
        "exact re-delivery without id": "select count(*) from (select * from raw.setup_events where event_id is "
                                        "null group by all having count(*) > 1)",
        "odd event_name": "select count(*) from raw.setup_events where event_name in "
                          "('  Integration-Started', 'API KEY CREATED', 'sync  completed')",
        "odd integration_type": "select count(*) from raw.setup_events where integration_type in "
                                "('Salesforce', ' HUBSPOT ')",
        "null account_id": "select count(*) from raw.setup_events where account_id is null",
        "null occurred_at": "select count(*) from raw.setup_events where occurred_at is null",
        "unknown event_name": "select count(*) from raw.setup_events where event_name = 'foo_bar'",
        "milestone or error without integration_type": "select count(*) from raw.setup_events where "
            "integration_type is null and event_name in ('api_key_created', 'setup_error_seen')",
        "occurred more than a day after received": "select count(*) from raw.setup_events "
                                                   "where occurred_at > received_at + interval 1 day",
        "malformed properties": "select count(*) from raw.setup_events where properties in "
                                "('{error_code: oops', 'not json')",
        "null properties": "select count(*) from raw.setup_events where properties is null",
        "late arrival": "select count(*) from raw.setup_events where received_at > occurred_at + interval 1 day",
        "later duplicate received later": "select count(*) from (select event_id from raw.setup_events where "
            "event_id is not null group by 1 having count(distinct received_at) > 1)",
    }
    for kind, sql in checks.items():
        assert scalar(demo, sql) >= 1, kind
    # Malformed JSON is only the deliberate rows: everything else parses.
    assert scalar(demo, "select count(*) from raw.setup_events where properties is not null "
                        "and not json_valid(properties)") == 2


# -- synthetic --------------------------------------------------------------------------------

SMALL = dict(accounts=3000, chunk_accounts=1000, show_progress=False)


def test_synthetic_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    write_synthetic(tmp_path / "a.duckdb", GeneratorConfig(**SMALL))
    write_synthetic(tmp_path / "b.duckdb", GeneratorConfig(**SMALL))
    write_synthetic(tmp_path / "c.duckdb", GeneratorConfig(**SMALL, seed=7))
    a, b, c = (table_fingerprints(tmp_path / name)
               for name in ("a.duckdb", "b.duckdb", "c.duckdb"))
    assert {t: v[:2] for t, v in a.items()} == {t: v[:2] for t, v in b.items()}
    assert a["setup_events"][1] != c["setup_events"][1]


def test_synthetic_scales_with_accounts_and_fills_every_table(tmp_path: Path) -> None:
    small = write_synthetic(tmp_path / "s.duckdb", GeneratorConfig(**SMALL))
    large = write_synthetic(tmp_path / "l.duckdb", GeneratorConfig(**{**SMALL, "accounts": 6000}))
    assert all(rows > 0 for rows in small.values()), small
    assert 1.8 <= large["setup_events"] / small["setup_events"] <= 2.2
    per_account = small["setup_events"] / SMALL["accounts"]
    assert 25 <= per_account <= 40
    assert accounts_for_events(1_000_000) == pytest.approx(1_000_000 / per_account, rel=0.1)
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    # Every catalog path reaches completion for someone; all 7 catalog types plus an unknown one appear.
    assert scalar(con, "select count(distinct integration_type) from raw.setup_events "
                       "where integration_type = lower(trim(integration_type))") == 8
    for name in ("sync_completed", "first_api_call_success", "sending_enabled", "workflow_launched",
                 "integration_reconnect_attempted", "setup_docs_viewed", "pricing_viewed"):
        assert scalar(con, f"select count(*) from raw.setup_events where event_name = '{name}'") > 0, name
    users = scalar(con, "select max(n) from (select account_id, count(distinct user_id) n from raw.users group by 1)")
    assert users == 6
    # Nothing received after the end of the data.
    assert scalar(con, "select max(received_at) from raw.setup_events") <= __import__("datetime").datetime(
        2026, 3, 10, 23, 59, 59)
    con.close()


def test_synthetic_rates_are_roughly_honoured(tmp_path: Path) -> None:
    config = GeneratorConfig(**SMALL, duplicate_rate=0.05, late_rate=0.03, dirty_rate=0.02)
    write_synthetic(tmp_path / "r.duckdb", config)
    con = duckdb.connect(str(tmp_path / "r.duckdb"), read_only=True)
    total = scalar(con, "select count(*) from raw.setup_events")
    extra_copies = scalar(con, "select count(*) - count(distinct event_id) from raw.setup_events "
                               "where event_id is not null")
    assert 0.04 <= extra_copies / total <= 0.065
    late = scalar(con, "select count(*) from raw.setup_events where received_at >= occurred_at + interval 2 hour")
    assert 0.02 <= late / total <= 0.06  # late arrivals (plus a few slow re-deliveries)
    normal = scalar(con, "select quantile_cont(date_diff('second', occurred_at, received_at), 0.5) "
                         "from raw.setup_events")
    assert 1 <= normal <= 600
    null_account = scalar(con, "select count(*) from raw.setup_events where account_id is null")
    assert 0.001 <= null_account / total <= 0.004  # one dirty kind in ten
    for sql in ("occurred_at is null", "event_id is null", "event_name = 'foo_bar'",
                "properties in ('not json', '{error_code: oops')", "occurred_at > received_at + interval 1 day",
                "event_name <> lower(event_name)", "integration_type <> lower(trim(integration_type))"):
        assert scalar(con, f"select count(*) from raw.setup_events where {sql}") > 0, sql
    clean = GeneratorConfig(**SMALL, duplicate_rate=0, late_rate=0, dirty_rate=0)
    write_synthetic(tmp_path / "clean.duckdb", clean)
    clean_con = duckdb.connect(str(tmp_path / "clean.duckdb"), read_only=True)
    assert scalar(clean_con, "select count(*) - count(distinct event_id) from raw.setup_events") == 0
    assert scalar(clean_con, "select count(*) from raw.setup_events where account_id is null "
                             "or occurred_at is null or not json_valid(properties)") == 0
    con.close()
    clean_con.close()


def test_append_and_next_day_add_rows(tmp_path: Path) -> None:
    path = tmp_path / "x.duckdb"
    config = GeneratorConfig(**SMALL)
    base = write_synthetic(path, config)
    added = write_synthetic(path, GeneratorConfig(**{**SMALL, "accounts": 1000}), append=True)
    con = duckdb.connect(str(path), read_only=True)
    assert scalar(con, "select count(*) from raw.setup_events") == base["setup_events"] + added["setup_events"]
    assert scalar(con, "select count(distinct account_id) from raw.accounts") == 4000  # new ids, no overlap
    con.close()

    day = write_next_day(path, config)
    assert 0 < day["setup_events"] < 0.1 * base["setup_events"]
    assert day["accounts"] > 0
    con = duckdb.connect(str(path), read_only=True)
    assert scalar(con, "select count(*) from (select account_id from raw.accounts group by 1 "
                       "having count(distinct signed_up_at) > 1)") == 0  # newcomers got fresh ids
    end = "timestamp '2026-03-10 23:59:59'"
    new = con.execute(f"select min(received_at), max(received_at), count(*) from raw.setup_events "
                      f"where received_at > {end}").fetchall()[0]
    assert str(new[0]) > "2026-03-10 23:59:59" and str(new[1]) <= "2026-03-11 23:59:59"
    assert new[2] == day["setup_events"]
    # The new day includes late events that occurred before it.
    assert scalar(con, f"select count(*) from raw.setup_events where received_at > {end} "
                       f"and occurred_at < {end} - interval 2 hour") > 0
    con.close()
    assert as_of_for(config) == "2026-03-10 23:59:59"
    assert as_of_for(config, 1) == "2026-03-11 23:59:59"
