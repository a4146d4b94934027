"""Friction segments (SPEC section 6), end to end from raw events.

The demo must put an account in every segment (and the account demo_stories() names for it).
A scenario dataset of hand-made stories, one account each, sits on both sides of every
threshold; the test states every (account_id, integration_type, segment, entered_at) row
friction_segments must hold for it, no more and no fewer.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from setup_journeys.demo import demo_stories, demo_story_integrations

SEGMENTS = [
    "started_no_credentials", "credentials_no_connection", "connected_no_data", "domain_verification_pending",
    "repeated_errors", "auth_scope_denied", "bad_event_shape", "delivery_failing", "reconnect_loop",
    "high_intent_stalled", "needs_admin", "abandoned",
]
AS_OF = "2026-03-10 12:00:00"


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Stories:
    """Builds raw rows: one account per story, an admin and a marketer in each."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.accounts: list[dict[str, Any]] = []
        self.users: list[dict[str, Any]] = []

    def account(self, account_id: str, plan_tier: str = "pro", known: bool = True) -> str:
        if known:
            self.accounts.append({
                "account_id": account_id, "account_name": account_id, "plan_tier": plan_tier,
                "signed_up_at": ts("2026-02-01 00:00:00"), "acquisition_source": "organic_search",
                "updated_at": ts("2026-02-01 00:00:00"),
            })
        for role in ("admin", "marketer"):
            self.users.append({
                "user_id": f"{account_id}_{role}", "account_id": account_id, "email": f"{role}@{account_id}.test",
                "role": role, "email_opt_out": False, "created_at": ts("2026-02-01 00:00:00"),
                "updated_at": ts("2026-02-01 00:00:00"),
            })
        return account_id

    def event(self, account_id: str, name: str, at: str, integration: str | None, *, role: str = "admin",
              error_code: str | None = None) -> None:
        occurred_at = ts(at)
        self.events.append({
            "event_id": f"{account_id}_{len(self.events)}", "event_name": name, "occurred_at": occurred_at,
            "received_at": occurred_at + timedelta(seconds=5), "account_id": account_id,
            "user_id": f"{account_id}_{role}", "integration_type": integration,
            "properties": json.dumps({"error_code": error_code} if error_code else {}),
        })

    def setup(self, account_id: str, integration: str, steps: list[tuple[str, str]], *, role: str = "admin") -> None:
        for name, at in steps:
            self.event(account_id, name, at, integration, role=role)


def scenario() -> tuple[Stories, set[tuple[str, str, str, datetime]]]:
    """Every story with the rows it must produce (as of AS_OF, default thresholds)."""
    s = Stories()
    expected: set[tuple[str, str, str, datetime]] = set()

    def expect(account_id: str, integration: str, segment: str, entered_at: str) -> None:
        expected.add((account_id, integration, segment, ts(entered_at)))

    # started_no_credentials: 1 h after start, step 2 not reached.
    s.setup(s.account("s_nocred_61m"), "hubspot", [("integration_started", "2026-03-10 10:59:00")])
    expect("s_nocred_61m", "hubspot", "started_no_credentials", "2026-03-10 11:59:00")
    s.setup(s.account("s_nocred_59m"), "hubspot", [("integration_started", "2026-03-10 11:01:00")])

    # credentials_no_connection: api path, 24 h after api_key_created.
    s.setup(s.account("s_key_24h1m"), "stripe", [("integration_started", "2026-03-09 11:00:00"),
                                                 ("api_key_created", "2026-03-09 11:59:00")])
    expect("s_key_24h1m", "stripe", "credentials_no_connection", "2026-03-10 11:59:00")
    s.setup(s.account("s_key_23h59m"), "stripe", [("integration_started", "2026-03-09 11:00:00"),
                                                  ("api_key_created", "2026-03-09 12:01:00")])

    # connected_no_data: oauth path, 24 h after integration_connected.
    s.setup(s.account("s_conn_24h1m"), "slack", [("integration_started", "2026-03-09 11:00:00"),
                                                 ("integration_connected", "2026-03-09 11:59:00")])
    expect("s_conn_24h1m", "slack", "connected_no_data", "2026-03-10 11:59:00")
    s.setup(s.account("s_conn_23h59m"), "slack", [("integration_started", "2026-03-09 11:00:00"),
                                                  ("integration_connected", "2026-03-09 12:01:00")])

    # domain_verification_pending: 48 h after verification started (admin starter: no needs_admin).
    s.setup(s.account("s_dom_48h1m"), "sending_domain", [("integration_started", "2026-03-08 11:00:00"),
                                                         ("domain_verification_started", "2026-03-08 11:59:00")])
    expect("s_dom_48h1m", "sending_domain", "domain_verification_pending", "2026-03-10 11:59:00")
    s.setup(s.account("s_dom_47h59m"), "sending_domain", [("integration_started", "2026-03-08 11:00:00"),
                                                          ("domain_verification_started", "2026-03-08 12:01:00")])

    # repeated_errors: same code 12 h apart after progress (also bad_event_shape from the first
    # error, and credentials_no_connection 24 h after the key); 12 h + 1 s apart: not repeated.
    for account_id, second_error_at in (("s_rep_12h", "2026-03-09 22:00:00"), ("s_rep_12h1s", "2026-03-09 22:00:01")):
        s.setup(s.account(account_id), "custom_api", [("integration_started", "2026-03-09 08:00:00"),
                                                      ("api_key_created", "2026-03-09 08:10:00")])
        s.event(account_id, "setup_error_seen", "2026-03-09 10:00:00", "custom_api", error_code="schema_mismatch")
        s.event(account_id, "setup_error_seen", second_error_at, "custom_api", error_code="schema_mismatch")
        expect(account_id, "custom_api", "bad_event_shape", "2026-03-09 10:00:00")
        expect(account_id, "custom_api", "credentials_no_connection", "2026-03-10 08:10:00")
    expect("s_rep_12h", "custom_api", "repeated_errors", "2026-03-09 22:00:00")

    # auth_scope_denied from the first auth error of the trailing run (different codes, same class).
    s.setup(s.account("s_auth"), "salesforce", [("integration_started", "2026-03-10 09:00:00")])
    s.event("s_auth", "auth_failed", "2026-03-10 09:30:00", "salesforce")
    s.event("s_auth", "setup_error_seen", "2026-03-10 10:00:00", "salesforce", error_code="oauth_scope_missing")
    expect("s_auth", "salesforce", "auth_scope_denied", "2026-03-10 09:30:00")
    expect("s_auth", "salesforce", "started_no_credentials", "2026-03-10 10:00:00")
    # An auth error followed by progress: no error segment.
    s.setup(s.account("s_auth_recovered"), "hubspot", [("integration_started", "2026-03-10 09:00:00")])
    s.event("s_auth_recovered", "auth_failed", "2026-03-10 09:10:00", "hubspot")
    s.event("s_auth_recovered", "integration_connected", "2026-03-10 09:20:00", "hubspot")

    # delivery_failing: the latest error after the key is a delivery error.
    s.setup(s.account("s_delivery"), "webhook", [("integration_started", "2026-03-10 08:00:00"),
                                                 ("api_key_created", "2026-03-10 08:05:00")])
    s.event("s_delivery", "setup_error_seen", "2026-03-10 09:00:00", "webhook", error_code="delivery_rejected")
    expect("s_delivery", "webhook", "delivery_failing", "2026-03-10 09:00:00")

    # reconnect_loop: completed setups count; exactly 24 h apart is in, 24 h + 1 s is out.
    for account_id, integration, second in (("s_loop_24h", "hubspot", "2026-03-10 00:00:00"),
                                            ("s_loop_24h1s", "slack", "2026-03-10 00:00:01")):
        s.setup(s.account(account_id), integration, [("integration_started", "2026-03-01 10:00:00"),
                                                     ("integration_connected", "2026-03-01 10:05:00"),
                                                     ("sync_completed", "2026-03-01 11:00:00"),
                                                     ("integration_reconnect_attempted", "2026-03-09 00:00:00"),
                                                     ("integration_reconnect_attempted", second)])
    expect("s_loop_24h", "hubspot", "reconnect_loop", "2026-03-10 00:00:00")

    # high_intent_stalled: an account-level docs view in the last 7 days, no progress for 24 h.
    for account_id, progress_at in (("s_intent_24h1m", "2026-03-09 11:59:00"), ("s_intent_23h59m", "2026-03-09 12:01:00")):
        s.setup(s.account(account_id), "stripe", [("integration_started", "2026-03-09 11:00:00"),
                                                  ("api_key_created", "2026-03-09 11:30:00"),
                                                  ("test_event_sent", progress_at)])
        s.event(account_id, "setup_docs_viewed", "2026-03-08 10:00:00", None)
    expect("s_intent_24h1m", "stripe", "high_intent_stalled", "2026-03-10 11:59:00")

    # needs_admin: salesforce started by a marketer, 1 h after the start.
    s.setup(s.account("s_admin_61m"), "salesforce", [("integration_started", "2026-03-10 10:59:00"),
                                                     ("integration_connected", "2026-03-10 11:00:00")], role="marketer")
    expect("s_admin_61m", "salesforce", "needs_admin", "2026-03-10 11:59:00")
    s.setup(s.account("s_admin_59m"), "salesforce", [("integration_started", "2026-03-10 11:01:00"),
                                                     ("integration_connected", "2026-03-10 11:02:00")], role="marketer")

    # abandoned: no event for 7 days.
    for account_id, last_at in (("s_abandoned_7d1m", "2026-03-03 11:59:00"), ("s_abandoned_6d23h", "2026-03-03 12:01:00")):
        s.setup(s.account(account_id, plan_tier="enterprise"), "stripe", [("integration_started", "2026-03-02 10:00:00"),
                                                                          ("api_key_created", "2026-03-02 10:05:00"),
                                                                          ("test_event_sent", last_at)])
    expect("s_abandoned_7d1m", "stripe", "abandoned", "2026-03-10 11:59:00")

    # Not (yet) in raw.accounts: no segment rows.
    s.setup(s.account("s_unknown_account", known=False), "hubspot", [("integration_started", "2026-03-09 08:00:00")])
    return s, expected


@pytest.fixture(scope="module")
def scenario_warehouse(new_warehouse):
    stories, expected = scenario()
    warehouse = new_warehouse("friction")
    warehouse.load_raw({"setup_events": stories.events, "accounts": stories.accounts, "users": stories.users})
    warehouse.build(AS_OF)
    return warehouse, expected


def test_scenario_rows_are_exactly_the_expected_ones(scenario_warehouse):
    warehouse, expected = scenario_warehouse
    rows = warehouse.query("select account_id, integration_type, segment, entered_at from friction_segments")
    actual = {(row["account_id"], row["integration_type"], row["segment"], row["entered_at"]) for row in rows}
    assert len(rows) == len(actual)
    assert sorted(actual - expected) == [], "rows friction_segments should not have"
    assert sorted(expected - actual) == [], "rows friction_segments is missing"


def test_scenario_covers_every_segment(scenario_warehouse):
    _, expected = scenario_warehouse
    assert {segment for _, _, segment, _ in expected} == set(SEGMENTS)


def test_evidence_and_response_row(scenario_warehouse):
    warehouse, _ = scenario_warehouse
    rows = {
        (row["account_id"], row["segment"]): row
        for row in warehouse.query("select * from friction_segments")
    }
    repeated = rows[("s_rep_12h", "repeated_errors")]
    assert repeated["segment_error_codes"] == "schema_mismatch"
    assert repeated["segment_event_count"] == 2
    assert repeated["last_reached_step"] == "api_key_created"
    assert repeated["next_required_step"] == "test_event_sent"
    assert repeated["hours_stalled"] == pytest.approx(27.8)
    assert repeated["hours_in_segment"] == pytest.approx(14.0)
    assert repeated["owner"] and repeated["first_response"] and repeated["surface"] and repeated["guardrail"]
    auth = rows[("s_auth", "auth_scope_denied")]
    assert auth["segment_error_codes"] == "auth_failed, oauth_scope_missing"
    assert auth["segment_event_count"] == 2
    assert "oauth_scope_missing (auth)" in auth["evidence"]
    assert rows[("s_loop_24h", "reconnect_loop")]["is_completed"] is True
    # cohort_week is the Monday of started_at's week (2026-03-08 is a Sunday).
    assert rows[("s_dom_48h1m", "domain_verification_pending")]["cohort_week"] == date(2026, 3, 2)
    assert rows[("s_nocred_61m", "started_no_credentials")]["cohort_week"] == date(2026, 3, 9)
    assert rows[("s_abandoned_7d1m", "abandoned")]["plan_tier"] == "enterprise"


def test_scenario_summaries_reconcile(scenario_warehouse):
    warehouse, expected = scenario_warehouse
    assert warehouse.scalar("select sum(setups_in_segment) from friction_segment_summary") == len(expected)
    assert warehouse.scalar("select sum(setups_entered) from friction_segment_daily_entries") == len(expected)
    entries = warehouse.query(
        "select entered_on, setups_entered from friction_segment_daily_entries "
        "where segment = 'credentials_no_connection' and integration_type = 'custom_api'"
    )
    assert entries == [{"entered_on": date(2026, 3, 10), "setups_entered": 2}]


def test_thresholds_come_from_vars(new_warehouse):
    """Moving a threshold var moves the segment: 2 h instead of 1 h drops the 61-minute story."""
    stories = Stories()
    stories.setup(stories.account("v_90m"), "hubspot", [("integration_started", "2026-03-10 10:30:00")])
    stories.setup(stories.account("v_150m"), "hubspot", [("integration_started", "2026-03-10 09:30:00")])
    warehouse = new_warehouse("friction_vars")
    warehouse.load_raw({"setup_events": stories.events, "accounts": stories.accounts, "users": stories.users})
    warehouse.dbt("build", "--select", "+friction_segments", "--resource-type", "model", "seed", as_of=AS_OF,
                  extra_vars={"started_no_credentials_after_hours": 2})
    rows = warehouse.query("select account_id, entered_at from friction_segments where segment = 'started_no_credentials'")
    assert rows == [{"account_id": "v_150m", "entered_at": ts("2026-03-10 11:30:00")}]


def test_demo_puts_an_account_in_every_segment(demo_warehouse):
    counts = {
        row["segment"]: row["accounts"]
        for row in demo_warehouse.query(
            "select segment, count(distinct account_id) as accounts from friction_segments group by segment"
        )
    }
    assert {segment: counts.get(segment, 0) for segment in SEGMENTS if counts.get(segment, 0) < 1} == {}


@pytest.mark.parametrize("segment", SEGMENTS)
def test_demo_story_account_is_in_its_segment(demo_warehouse, segment):
    accounts = [account_id for account_id, story in demo_stories().items() if story == segment]
    assert accounts, f"demo_stories() has no account for {segment}"
    for account_id in accounts:
        rows = demo_warehouse.query(
            "select integration_type from friction_segments where account_id = ? and segment = ?",
            [account_id, segment],
        )
        assert {row["integration_type"] for row in rows} >= {demo_story_integrations()[account_id]}


def test_demo_summaries_reconcile(demo_warehouse):
    total = demo_warehouse.scalar("select count(*) from friction_segments")
    assert total > 0
    assert demo_warehouse.scalar("select sum(setups_in_segment) from friction_segment_summary") == total
    assert demo_warehouse.scalar("select sum(setups_entered) from friction_segment_daily_entries") == total
