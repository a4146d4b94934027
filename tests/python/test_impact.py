"""Journey impact (issue 13): message outcomes, holdout lift and status confusion.

One raw dataset with a story per account, built once at AS_OF; every expected value below was
worked out by hand from the timestamps (72 h outcome window, 24 h error-recurrence window, 24 h
status-view follow-up: the project defaults). The lift's intervals are checked against
statsmodels' own computation, on the stories and on every comparable row of the demo.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from conftest import Warehouse
from setup_journeys.message_sends import hash_bucket, is_holdout

AS_OF = "2026-03-10 12:00:00"
MIN_GROUP = 3  # lift_min_setups_per_group for the story build


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


_SEQ = iter(range(1, 10_000))


def _event(name: str, at: str, account: str, integration: str | None,
           properties: dict[str, str] | None = None, user: str | None = None) -> dict[str, Any]:
    moment = _at(at)
    return {
        "event_id": f"imp_{next(_SEQ):05d}", "event_name": name, "occurred_at": moment, "received_at": moment,
        "account_id": account, "user_id": user or f"{account}_u1", "integration_type": integration,
        "properties": json.dumps(properties or {}),
    }


def _send(message_id: str, account: str, integration: str, step: str, at: str,
          reminder: int | None = None) -> dict[str, Any]:
    return {"message_id": message_id, "sync_key": f"key_{message_id}", "account_id": account,
            "integration_type": integration, "user_id": f"{account}_u1", "journey_step": step,
            "reminder_number": reminder, "sent_at": _at(at)}


def _ids(prefix: str, holdout: bool, count: int) -> list[str]:
    """The first `count` ids with this prefix whose stable hash bucket puts them in (or out of) the holdout."""
    found: list[str] = []
    number = 0
    while len(found) < count:
        number += 1
        candidate = f"{prefix}{number}"
        if is_holdout(candidate) == holdout:
            found.append(candidate)
    return found


# Lift stories on slack / starter: 5 treatment setups (4 complete, 2 accounts activate), 4 holdout (1 completes).
LIFT_TREATMENT = _ids("lt_", holdout=False, count=5)
LIFT_HOLDOUT = _ids("lh_", holdout=True, count=4)
# A leaked holdout on salesforce / pro: 3 + 3 setups, one holdout setup got a reminder.
LEAK_TREATMENT = _ids("kt_", holdout=False, count=3)
LEAK_HOLDOUT = _ids("kh_", holdout=True, count=3)
OTHER_ACCOUNTS = ["m1", "m2", "m3", "m4", "s1", "s2", "s3"]


def _stories() -> dict[str, list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    sends: list[dict[str, Any]] = []
    plans = {account: "starter" for account in LIFT_TREATMENT + LIFT_HOLDOUT}
    plans.update({account: "pro" for account in LEAK_TREATMENT + LEAK_HOLDOUT + OTHER_ACCOUNTS})

    # m1 stripe (api): two reminders; the progress after the second is credited to the second only,
    # the account-level ticket between them to the first.
    events += [
        _event("integration_started", "2026-03-01 10:00:00", "m1", "stripe"),
        _event("api_key_created", "2026-03-01 10:30:00", "m1", "stripe"),
        _event("support_ticket_opened", "2026-03-01 20:00:00", "m1", None),
        _event("test_event_sent", "2026-03-02 12:00:00", "m1", "stripe"),
        _event("first_api_call_success", "2026-03-02 13:00:00", "m1", "stripe"),
    ]
    sends += [
        _send("msg_a", "m1", "stripe", "stalled_setup_help", "2026-03-01 12:30:00", 1),
        _send("msg_b", "m1", "stripe", "stalled_setup_help", "2026-03-02 10:30:00", 2),
    ]
    # m2 webhook: troubleshooting after two schema_mismatch; the same code recurs 10 h later,
    # another code the next morning.
    events += [
        _event("integration_started", "2026-03-03 09:00:00", "m2", "webhook"),
        _event("setup_error_seen", "2026-03-03 09:10:00", "m2", "webhook", {"error_code": "schema_mismatch"}),
        _event("setup_error_seen", "2026-03-03 09:40:00", "m2", "webhook", {"error_code": "schema_mismatch"}),
        _event("setup_error_seen", "2026-03-03 20:00:00", "m2", "webhook", {"error_code": "schema_mismatch"}),
        _event("setup_error_seen", "2026-03-04 08:00:00", "m2", "webhook", {"error_code": "invalid_api_key"}),
    ]
    sends.append(_send("msg_c", "m2", "webhook", "repeated_failure_troubleshooting", "2026-03-03 10:00:00"))
    # m3 webhook: the same, but the code recurs 26 h after the message: outside the 24 h window.
    events += [
        _event("integration_started", "2026-03-03 09:00:00", "m3", "webhook"),
        _event("setup_error_seen", "2026-03-03 09:10:00", "m3", "webhook", {"error_code": "schema_mismatch"}),
        _event("setup_error_seen", "2026-03-03 09:40:00", "m3", "webhook", {"error_code": "schema_mismatch"}),
        _event("setup_error_seen", "2026-03-04 12:00:00", "m3", "webhook", {"error_code": "schema_mismatch"}),
    ]
    sends.append(_send("msg_d", "m3", "webhook", "repeated_failure_troubleshooting", "2026-03-03 10:00:00"))
    # m4 hubspot: confirmation two hours before as_of; connects an hour later; the sync lands after as_of.
    events += [
        _event("integration_started", "2026-03-10 09:00:00", "m4", "hubspot"),
        _event("integration_connected", "2026-03-10 11:00:00", "m4", "hubspot"),
        _event("sync_completed", "2026-03-10 13:00:00", "m4", "hubspot"),
    ]
    sends.append(_send("msg_e", "m4", "hubspot", "setup_started_confirmation", "2026-03-10 10:00:00"))

    # Status confusion, hubspot cohort of Monday 2026-03-02.
    events += [
        # s1: the UI flow completed, never usable; a pending view, then a reconnect and a ticket.
        _event("integration_started", "2026-03-02 09:00:00", "s1", "hubspot"),
        _event("integration_connected", "2026-03-02 09:05:00", "s1", "hubspot"),
        _event("integration_setup_completed", "2026-03-02 09:06:00", "s1", "hubspot"),
        _event("integration_status_viewed", "2026-03-02 10:00:00", "s1", "hubspot", {"status": "pending"}),
        _event("integration_reconnect_attempted", "2026-03-02 11:00:00", "s1", "hubspot"),
        _event("support_ticket_opened", "2026-03-02 12:00:00", "s1", "hubspot"),
        # s2: completed; a connected view then a reconnect 10 min later; a pending view whose
        # reconnect comes 25 h later (not followed within 24 h, still a reconnect after completion).
        _event("integration_started", "2026-03-02 10:00:00", "s2", "hubspot"),
        _event("integration_connected", "2026-03-02 10:05:00", "s2", "hubspot"),
        _event("integration_setup_completed", "2026-03-02 10:06:00", "s2", "hubspot"),
        _event("sync_completed", "2026-03-02 10:30:00", "s2", "hubspot"),
        _event("integration_status_viewed", "2026-03-03 09:00:00", "s2", "hubspot", {"status": "connected"}),
        _event("integration_reconnect_attempted", "2026-03-03 09:10:00", "s2", "hubspot"),
        _event("integration_status_viewed", "2026-03-03 12:00:00", "s2", "hubspot", {"status": "pending"}),
        _event("integration_reconnect_attempted", "2026-03-04 13:00:00", "s2", "hubspot"),
        # s3: a pending view, then the usable completion 8.5 h later.
        _event("integration_started", "2026-03-02 11:00:00", "s3", "hubspot"),
        _event("integration_status_viewed", "2026-03-02 11:30:00", "s3", "hubspot", {"status": "pending"}),
        _event("integration_connected", "2026-03-02 12:00:00", "s3", "hubspot"),
        _event("sync_completed", "2026-03-02 20:00:00", "s3", "hubspot"),
    ]

    # Lift: slack setups started 2026-02-01 (windows closed). Completed ones finish in 10 minutes
    # (never eligible for the 30-minute confirmation).
    for number, account in enumerate(LIFT_TREATMENT):
        events.append(_event("integration_started", "2026-02-01 09:00:00", account, "slack"))
        if number < 4:
            events.append(_event("integration_connected", "2026-02-01 09:05:00", account, "slack"))
            events.append(_event("sync_completed", "2026-02-01 09:10:00", account, "slack"))
        if number < 2:
            events.append(_event("workflow_launched", "2026-02-02 09:00:00", account, None))
        sends.append(_send(f"msg_lt_{number}", account, "slack", "setup_success_handoff", "2026-02-01 10:10:00"))
    for number, account in enumerate(LIFT_HOLDOUT):
        events.append(_event("integration_started", "2026-02-01 09:00:00", account, "slack"))
        if number < 1:
            events.append(_event("integration_connected", "2026-02-01 09:20:00", account, "slack"))
            events.append(_event("sync_completed", "2026-02-01 09:40:00", account, "slack"))
    for account in LEAK_TREATMENT + LEAK_HOLDOUT:
        events.append(_event("integration_started", "2026-02-01 09:00:00", account, "salesforce"))
    sends.append(_send("msg_leak", LEAK_HOLDOUT[0], "salesforce", "stalled_setup_help", "2026-02-01 10:00:00", 1))

    accounts = [
        {"account_id": account, "account_name": account, "plan_tier": plan, "signed_up_at": _at("2026-01-15 00:00:00"),
         "acquisition_source": "organic_search", "updated_at": _at("2026-01-15 00:00:00")}
        for account, plan in plans.items()
    ]
    users = [
        {"user_id": f"{account}_u1", "account_id": account, "email": f"{account}@example.com", "role": "owner",
         "email_opt_out": False, "created_at": _at("2026-01-15 00:00:00"), "updated_at": _at("2026-01-15 00:00:00")}
        for account in plans
    ]
    return {"accounts": accounts, "users": users, "setup_events": events, "message_sends": sends}


@pytest.fixture(scope="module")
def impact(new_warehouse) -> Warehouse:
    warehouse = new_warehouse("impact")
    warehouse.load_raw(_stories())
    warehouse.build(AS_OF, extra_vars={"lift_min_setups_per_group": MIN_GROUP})
    return warehouse


def _outcome(warehouse: Warehouse, message_id: str) -> dict[str, Any]:
    rows = warehouse.query("select * from journey_message_outcomes where message_id = ?", [message_id])
    assert len(rows) == 1, message_id
    return rows[0]


# --- journey_message_outcomes -----------------------------------------------------------------


def test_one_outcome_row_per_message(impact: Warehouse) -> None:
    assert impact.scalar("select count(*) from journey_message_outcomes") == len(_stories()["message_sends"])


def test_credit_ends_at_the_next_message_of_the_setup(impact: Warehouse) -> None:
    first = _outcome(impact, "msg_a")
    assert first["reached_step_number_at_send"] == 2
    assert first["reached_step_at_send"] == "api_key_created"
    assert first["next_message_sent_at"] == _at("2026-03-02 10:30:00")
    assert first["attribution_ends_at"] == _at("2026-03-02 10:30:00")
    assert first["is_outcome_settled"] is True
    # The progress came after the second reminder: not credited to the first.
    assert first["has_progressed"] is False and first["has_completed"] is False
    assert first["has_test_event_or_success"] is False
    # The account-level ticket (no integration) fell inside the first message's credit window.
    assert first["has_support_ticket"] is True
    assert first["support_ticket_at"] == _at("2026-03-01 20:00:00")

    second = _outcome(impact, "msg_b")
    assert second["reached_step_number_at_send"] == 2
    assert second["has_progressed"] is True
    assert (second["progressed_to_step_number"], second["progressed_to_step"]) == (4, "first_api_call_success")
    assert second["first_progress_at"] == _at("2026-03-02 12:00:00")
    assert second["minutes_to_next_progress"] == pytest.approx(90.0)
    assert second["has_completed"] is True
    assert second["completed_after_send_at"] == _at("2026-03-02 13:00:00")
    assert second["first_test_or_success_at"] == _at("2026-03-02 12:00:00")
    assert second["has_support_ticket"] is False
    # 72 h after sending, before as_of.
    assert second["attribution_ends_at"] == _at("2026-03-05 10:30:00")
    assert second["is_outcome_settled"] is True


def test_error_recurrence_is_the_same_code_within_its_window(impact: Warehouse) -> None:
    recurred = _outcome(impact, "msg_c")
    assert recurred["last_error_code_at_send"] == "schema_mismatch"
    assert recurred["errors_before_send"] == 2
    assert recurred["has_error_recurred"] is True
    assert recurred["error_recurred_at"] == _at("2026-03-03 20:00:00")
    assert recurred["errors_after_send"] == 2  # the recurrence and invalid_api_key
    assert recurred["has_progressed"] is False

    late = _outcome(impact, "msg_d")
    assert late["errors_after_send"] == 1  # 26 h later: inside the 72 h credit window ...
    assert late["has_error_recurred"] is False  # ... but outside the 24 h recurrence window


def test_a_young_message_is_not_settled_and_ignores_events_after_as_of(impact: Warehouse) -> None:
    young = _outcome(impact, "msg_e")
    assert young["attribution_ends_at"] == _at(AS_OF)
    assert young["is_outcome_settled"] is False
    assert (young["progressed_to_step_number"], young["progressed_to_step"]) == (2, "integration_connected")
    assert young["minutes_to_next_progress"] == pytest.approx(60.0)
    assert young["has_completed"] is False  # sync_completed is after as_of


def test_the_bucket_matches_the_python_hash_and_is_recorded_on_every_message(impact: Warehouse) -> None:
    rows = impact.query("select account_id, holdout_bucket, is_holdout_account from journey_message_outcomes")
    assert rows
    for row in rows:
        assert row["holdout_bucket"] == hash_bucket(row["account_id"])
        assert row["is_holdout_account"] == (hash_bucket(row["account_id"]) < 10)
    assert any(row["is_holdout_account"] for row in rows)  # the leaked message


# --- journey_lift -----------------------------------------------------------------------------


def _lift(warehouse: Warehouse, step: str, integration: str, plan: str) -> dict[str, Any]:
    rows = warehouse.query(
        "select * from journey_lift where journey_step = ? and integration_type = ? and plan_tier = ?",
        [step, integration, plan],
    )
    assert len(rows) == 1, (step, integration, plan)
    return rows[0]


def test_lift_counts_rates_and_intervals_by_hand_and_by_statsmodels(impact: Warehouse) -> None:
    row = _lift(impact, "all_steps", "slack", "starter")
    assert row["lift_status"] == "ok"
    assert (row["treatment_setups"], row["holdout_setups"]) == (5, 4)
    assert (row["treatment_completed"], row["holdout_completed"]) == (4, 1)
    assert (row["treatment_setups_messaged"], row["holdout_setups_messaged"]) == (5, 0)
    assert row["treatment_completion_rate"] == pytest.approx(0.8)
    assert row["holdout_completion_rate"] == pytest.approx(0.25)
    assert row["completion_rate_lift"] == pytest.approx(0.55)
    assert row["completion_rate_relative_lift"] == pytest.approx(2.2)
    # Newcombe by hand from the two Wilson intervals (z = 1.96).
    z = 1.959963984540054

    def wilson(x: int, n: int) -> tuple[float, float]:
        p = x / n
        centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)

    (l1, u1), (l2, u2) = wilson(4, 5), wilson(1, 4)
    assert row["completion_rate_lift_ci_lower"] == pytest.approx(0.55 - math.sqrt((0.8 - l1) ** 2 + (u2 - 0.25) ** 2))
    assert row["completion_rate_lift_ci_upper"] == pytest.approx(0.55 + math.sqrt((u1 - 0.8) ** 2 + (0.25 - l2) ** 2))
    # ... and the library's own computation.
    low, high = confint_proportions_2indep(4, 5, 1, 4, method="newcomb", compare="diff")
    assert (row["completion_rate_lift_ci_lower"], row["completion_rate_lift_ci_upper"]) == (
        pytest.approx(low), pytest.approx(high))
    low, high = confint_proportions_2indep(4, 5, 1, 4, method="log", compare="ratio")
    assert (row["completion_rate_relative_lift_ci_lower"], row["completion_rate_relative_lift_ci_upper"]) == (
        pytest.approx(low - 1), pytest.approx(high - 1))
    # Median minutes to connect: 10 for the treatment, 40 for the holdout.
    assert row["treatment_median_minutes_to_connect"] == pytest.approx(10.0)
    assert row["holdout_median_minutes_to_connect"] == pytest.approx(40.0)
    assert row["median_minutes_to_connect_difference"] == pytest.approx(-30.0)
    # Activation 2/5 vs 0/4: an absolute interval, no relative one (the holdout has no success).
    assert (row["treatment_activated"], row["holdout_activated"]) == (2, 0)
    low, high = confint_proportions_2indep(2, 5, 0, 4, method="newcomb", compare="diff")
    assert row["activation_rate_lift_ci_lower"] == pytest.approx(low)
    assert row["activation_rate_lift_ci_upper"] == pytest.approx(high)
    assert row["activation_rate_relative_lift_ci_lower"] is None


def test_eligibility_selects_both_groups_by_the_same_rule(impact: Warehouse) -> None:
    # Confirmation: only setups not completed within 30 minutes: 1 treatment, 3 holdout (the
    # completed holdout setup took 40 minutes): below the minimum of 3 in the treatment.
    row = _lift(impact, "setup_started_confirmation", "slack", "starter")
    assert (row["treatment_setups"], row["holdout_setups"]) == (1, 4)
    assert row["lift_status"] == "insufficient_data"
    assert row["completion_rate_lift"] is None and row["completion_rate_lift_ci_lower"] is None
    handoff = _lift(impact, "setup_success_handoff", "slack", "starter")
    assert (handoff["treatment_setups"], handoff["holdout_setups"]) == (4, 1)


def test_a_holdout_that_received_messages_is_flagged(impact: Warehouse) -> None:
    row = _lift(impact, "all_steps", "salesforce", "pro")
    assert (row["treatment_setups"], row["holdout_setups"], row["holdout_setups_messaged"]) == (3, 3, 1)
    assert row["lift_status"] == "holdout_received_messages"


def test_every_breakdown_level_counts_the_same_setups(impact: Warehouse) -> None:
    totals = impact.query(
        "select breakdown, sum(treatment_setups) as treatment, sum(holdout_setups) as holdout "
        "from journey_lift where journey_step = 'all_steps' group by breakdown"
    )
    assert len(totals) == 3
    assert len({(row["treatment"], row["holdout"]) for row in totals}) == 1


def test_overall_row_sums_every_setup(impact: Warehouse) -> None:
    overall = impact.query("select * from journey_lift where is_overall")
    assert len(overall) == 1
    setups = impact.scalar("select count(*) from time_to_connect")
    assert overall[0]["treatment_setups"] + overall[0]["holdout_setups"] == setups


# --- integration_status_confusion ------------------------------------------------------------


def test_status_confusion_by_hand(impact: Warehouse) -> None:
    rows = impact.query(
        "select * from integration_status_confusion where integration_type = 'hubspot' and cohort_week = '2026-03-02'"
    )
    assert len(rows) == 1
    row = rows[0]
    assert (row["category"], row["setup_path"]) == ("crm", "oauth")
    expected = {
        "setups_started": 3, "setups_completed": 2, "setups_ui_flow_completed": 2,
        "setups_ui_flow_completed_not_usable": 1, "reconnect_attempts": 3, "reconnects_after_completion": 2,
        "reconnects_while_pending": 1, "setups_reconnected_after_completion": 1,
        "setups_reconnected_while_pending": 1, "status_views": 4, "status_views_connected": 1,
        "status_views_pending": 3, "status_views_error": 0, "pending_views_followed_by_reconnect": 1,
        "pending_views_followed_by_support_ticket": 1, "pending_views_followed_by_completion": 1,
        "connected_views_followed_by_reconnect": 1, "connected_views_followed_by_support_ticket": 0,
        "status_views_followed_by_reconnect_or_ticket": 2,
    }
    assert {key: row[key] for key in expected} == expected
    assert row["ui_flow_completed_not_usable_rate"] == pytest.approx(0.5)
    assert row["status_view_confusion_rate"] == pytest.approx(0.5)


# --- the demo: every figure populated, the lift visible, every interval = statsmodels ----------


def test_demo_populates_every_impact_figure(demo_warehouse: Warehouse) -> None:
    outcomes = demo_warehouse.query(
        "select journey_step, count(*) as messages, sum(case when has_progressed then 1 else 0 end) as progressed, "
        "sum(case when has_completed then 1 else 0 end) as completed, "
        "sum(case when has_error_recurred then 1 else 0 end) as recurred, "
        "sum(case when has_test_event_or_success then 1 else 0 end) as tested, "
        "sum(case when has_support_ticket then 1 else 0 end) as tickets "
        "from journey_message_outcomes group by journey_step"
    )
    steps = {row["journey_step"]: row for row in outcomes}
    assert {"setup_started_confirmation", "stalled_setup_help", "repeated_failure_troubleshooting",
            "admin_escalation", "setup_success_handoff"} <= set(steps)
    for column in ("progressed", "completed", "recurred", "tested", "tickets"):
        assert sum(row[column] for row in outcomes) > 0, column
    assert demo_warehouse.scalar(
        "select count(*) from journey_message_outcomes where is_user_facing and is_holdout_account") == 0
    confusion = demo_warehouse.query(
        "select sum(setups_ui_flow_completed_not_usable) as not_usable, sum(reconnects_after_completion) as after, "
        "sum(reconnects_while_pending) as pending, sum(pending_views_followed_by_reconnect) as pending_reconnect, "
        "sum(pending_views_followed_by_support_ticket) as pending_ticket, "
        "sum(connected_views_followed_by_reconnect) as connected_reconnect, "
        "sum(pending_views_followed_by_completion) as pending_completion "
        "from integration_status_confusion"
    )[0]
    assert all(value > 0 for value in confusion.values()), confusion


def test_demo_lift_is_visible_where_messages_help_and_not_where_they_do_not(demo_warehouse: Warehouse) -> None:
    overall = demo_warehouse.query("select * from journey_lift where is_overall")[0]
    assert overall["lift_status"] == "ok"
    assert overall["completion_rate_lift_ci_lower"] > 0  # the journeys help overall
    troubleshooting = demo_warehouse.query(
        "select * from journey_lift where breakdown = 'journey_step' and journey_step = 'repeated_failure_troubleshooting'"
    )[0]
    assert troubleshooting["completion_rate_lift_ci_lower"] > 0
    pooled = "select sum(treatment_completed) * 1.0 / sum(treatment_setups) - sum(holdout_completed) * 1.0 " \
        "/ sum(holdout_setups) as lift from journey_lift where breakdown = 'journey_step x integration_type' " \
        "and journey_step = 'stalled_setup_help' and integration_type in "
    oauth_lift = demo_warehouse.query(pooled + "('hubspot', 'slack', 'salesforce')")[0]["lift"]
    api_lift = demo_warehouse.query(pooled + "('stripe', 'custom_api', 'webhook')")[0]["lift"]
    assert api_lift > oauth_lift + 0.05  # reminders rescue api setups, not oauth ones
    # The hand-off cannot move completion (every eligible setup completed): only activation.
    handoff = demo_warehouse.query(
        "select * from journey_lift where breakdown = 'journey_step' and journey_step = 'setup_success_handoff'")[0]
    assert handoff["completion_rate_lift"] == pytest.approx(0.0)


def test_every_demo_interval_equals_statsmodels(demo_warehouse: Warehouse) -> None:
    rows = demo_warehouse.query("select * from journey_lift where lift_status <> 'insufficient_data'")
    assert len(rows) >= 5
    for row in rows:
        for rate in ("completed", "activated"):
            name = "completion" if rate == "completed" else "activation"
            x1, n1 = row[f"treatment_{rate}"], row["treatment_setups"]
            x2, n2 = row[f"holdout_{rate}"], row["holdout_setups"]
            low, high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
            assert row[f"{name}_rate_lift_ci_lower"] == pytest.approx(low, abs=1e-9), row["lift_id"]
            assert row[f"{name}_rate_lift_ci_upper"] == pytest.approx(high, abs=1e-9), row["lift_id"]
            if 0 < x1 and 0 < x2:
                low, high = confint_proportions_2indep(x1, n1, x2, n2, method="log", compare="ratio")
                assert row[f"{name}_rate_relative_lift_ci_lower"] == pytest.approx(low - 1, abs=1e-9)
                assert row[f"{name}_rate_relative_lift_ci_upper"] == pytest.approx(high - 1, abs=1e-9)
