"""The journey export (SPEC 6): every step, every guardrail and the priority interplay on hand-made stories.

ONE raw dataset of stories (one account each) is built once; the expected export and suppression rows are
stated exactly. Then a sent message is fed back into raw.message_sends and the project rebuilt (the row must
move to already_sent and nothing else change), and finally holdout_percent=100 must leave only internal alerts.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

import pytest

AS_OF = "2026-03-10 12:00:00"
NOW = datetime.fromisoformat(AS_OF)
# acc_holdout_11 falls in stable bucket 1, every other story account in a bucket >= 12 (asserted below).
HOLDOUT_PERCENT = 10
# The journey and everything upstream of it, with their tests (not the other marts: faster builds);
# cautious: a test that also reads an unselected model is left to the full build.
BUILD_ARGS = ("build", "--select", "+export_journey_due +journey_suppressions", "--indirect-selection", "cautious")

Row = dict[str, Any]


def at(hours: float = 0, days: float = 0) -> datetime:
    """A time relative to as_of (negative = before)."""
    return NOW + timedelta(hours=hours, days=days)


def bucket(account_id: str) -> int:
    """The holdout bucket as the SPEC fixes it: stable hash of the account, 0-99."""
    return int(hashlib.md5(account_id.encode()).hexdigest()[:8], 16) % 100


def sync_key(account_id: str, integration_type: str, journey_step: str, recipient: str, next_required_step=None,
             reminder_number=None, error_code=None, alert_reason=None) -> str:
    """sync_key computed independently from its documented formula (stable_hash of the parts, nulls explicit)."""
    parts = [account_id, integration_type, journey_step, recipient,
             next_required_step if journey_step == "stalled_setup_help" else None, reminder_number, error_code,
             alert_reason]
    text = "|".join("<null>" if part is None else str(part) for part in parts)
    return hashlib.md5(text.encode()).hexdigest()


class Stories:
    """Collects raw rows for the stories."""

    def __init__(self) -> None:
        self.events: list[Row] = []
        self.accounts: list[Row] = []
        self.users: list[Row] = []
        self.message_sends: list[Row] = []

    def account(self, account_id: str, plan_tier: str = "pro") -> None:
        self.accounts.append({"account_id": account_id, "account_name": f"{account_id} Inc", "plan_tier": plan_tier,
                              "signed_up_at": at(days=-30), "acquisition_source": "organic",
                              "updated_at": at(days=-30)})

    def user(self, user_id: str, account_id: str, role: str = "member", opt_out: bool = False) -> None:
        self.users.append({"user_id": user_id, "account_id": account_id, "email": f"{user_id}@example.com",
                           "role": role, "email_opt_out": opt_out, "created_at": at(days=-30),
                           "updated_at": at(days=-30)})

    def event(self, account_id: str, user_id: str | None, integration_type: str, event_name: str, occurred_at: datetime,
              properties: str | None = None) -> None:
        self.events.append({"event_id": f"e{len(self.events):04d}", "event_name": event_name,
                            "occurred_at": occurred_at, "received_at": occurred_at + timedelta(minutes=1),
                            "account_id": account_id, "user_id": user_id, "integration_type": integration_type,
                            "properties": properties or "{}"})

    def error(self, account_id: str, user_id: str, integration_type: str, error_code: str, occurred_at: datetime) -> None:
        self.event(account_id, user_id, integration_type, "setup_error_seen", occurred_at,
                   f'{{"error_code": "{error_code}", "environment": "production"}}')

    def tables(self) -> dict[str, list[Row]]:
        return {"setup_events": self.events, "accounts": self.accounts, "users": self.users,
                "message_sends": self.message_sends}


def build_stories() -> Stories:
    s = Stories()

    # Handoff: a member started HubSpot 30 h ago, an admin completed it 26 h ago. The starter gets the handoff;
    # the stalled reminder the completion cancelled is suppressed as exit (whoever completed it).
    s.account("acc_handoff")
    s.user("u_h1", "acc_handoff")
    s.user("u_h2", "acc_handoff", role="admin")
    s.event("acc_handoff", "u_h1", "hubspot", "integration_started", at(-30))
    s.event("acc_handoff", "u_h1", "hubspot", "integration_connected", at(-29))
    s.event("acc_handoff", "u_h2", "hubspot", "sync_completed", at(-26))

    # Exit on a young setup: Slack started 5 h ago, completed 2 h ago: handoff; confirmation and reminder 1 exit.
    s.account("acc_exit")
    s.user("u_e1", "acc_exit")
    s.event("acc_exit", "u_e1", "slack", "integration_started", at(-5))
    s.event("acc_exit", "u_e1", "slack", "integration_connected", at(-4))
    s.event("acc_exit", "u_e1", "slack", "sync_completed", at(-2))

    # Troubleshooting supersedes stalled help: Stripe key created 47 h ago, then invalid_api_key twice 5 h apart
    # by a teammate. Troubleshooting goes to the teammate (actor of the latest error); the starter's reminder 2
    # is superseded.
    s.account("acc_trouble")
    s.user("u_t1", "acc_trouble", role="engineer")
    s.user("u_t2", "acc_trouble", role="engineer")
    s.event("acc_trouble", "u_t1", "stripe", "integration_started", at(-48))
    s.event("acc_trouble", "u_t1", "stripe", "api_key_created", at(-47))
    s.error("acc_trouble", "u_t2", "stripe", "invalid_api_key", at(-10))
    s.error("acc_trouble", "u_t2", "stripe", "invalid_api_key", at(-5))

    # Admin escalation with an opted-out admin, and confirmation vs stalled help under the cap: a member started
    # Salesforce (requires an admin) 3 h ago. The admin gets the escalation, the opted-out owner is suppressed
    # (consent), the engineer gets nothing; the starter gets the confirmation (priority 4), so reminder 1
    # (priority 5) is capped within the run.
    s.account("acc_admin")
    s.user("u_a1", "acc_admin")
    s.user("u_a2", "acc_admin", role="admin")
    s.user("u_a3", "acc_admin", role="owner", opt_out=True)
    s.user("u_a4", "acc_admin", role="engineer")
    s.event("acc_admin", "u_a1", "salesforce", "integration_started", at(-3))

    # Needs an admin, but the account has none besides the starter: the escalation stays on record as no_recipient.
    s.account("acc_noadmin")
    s.user("u_m1", "acc_noadmin")
    s.event("acc_noadmin", "u_m1", "sending_domain", "integration_started", at(-3))

    # In session: Slack started 2 h ago, docs of the setup opened 10 min ago: confirmation and reminder 1 wait.
    s.account("acc_session")
    s.user("u_s1", "acc_session")
    s.event("acc_session", "u_s1", "slack", "integration_started", at(-2))
    s.event("acc_session", "u_s1", "slack", "setup_docs_viewed", at(-10 / 60))

    # Frequency cap across runs: the starter got a message 3 h ago, so today's reminder 2 is capped.
    s.account("acc_cap")
    s.user("u_c1", "acc_cap", role="engineer")
    s.event("acc_cap", "u_c1", "webhook", "integration_started", at(-30))
    s.event("acc_cap", "u_c1", "webhook", "api_key_created", at(-29))
    s.message_sends.append({"message_id": "m_cap", "sync_key": "an-earlier-message", "account_id": "acc_cap",
                            "integration_type": "webhook", "user_id": "u_c1",
                            "journey_step": "setup_started_confirmation", "reminder_number": None,
                            "sent_at": at(-3)})

    # Already sent: reminder 2 of this series went out 30 h ago (fed back with its sync_key).
    s.account("acc_sent")
    s.user("u_x1", "acc_sent", role="engineer")
    s.event("acc_sent", "u_x1", "custom_api", "integration_started", at(-60))
    s.event("acc_sent", "u_x1", "custom_api", "api_key_created", at(-59))
    s.event("acc_sent", "u_x1", "custom_api", "test_event_sent", at(-50))
    s.message_sends.append({"message_id": "m_sent", "account_id": "acc_sent", "integration_type": "custom_api",
                            "sync_key": sync_key("acc_sent", "custom_api", "stalled_setup_help", "u_x1",
                                                 "first_api_call_success", 2),
                            "user_id": "u_x1", "journey_step": "stalled_setup_help", "reminder_number": 2,
                            "sent_at": at(-30)})

    # Already sent under another key (an older export): the confirmation went out 4 h ago with a foreign
    # sync_key; it is recognised by setup, step and recipient. The reminder is capped by that send.
    s.account("acc_legacy")
    s.user("u_l1", "acc_legacy")
    s.event("acc_legacy", "u_l1", "hubspot", "integration_started", at(-5))
    s.message_sends.append({"message_id": "m_legacy", "sync_key": "sent-by-an-older-export",
                            "account_id": "acc_legacy", "integration_type": "hubspot", "user_id": "u_l1",
                            "journey_step": "setup_started_confirmation", "reminder_number": None,
                            "sent_at": at(-4)})

    # Consent: the starter opted out of email.
    s.account("acc_consent")
    s.user("u_o1", "acc_consent", opt_out=True)
    s.event("acc_consent", "u_o1", "hubspot", "integration_started", at(-5))

    # Holdout: the account's stable bucket is below holdout_percent.
    s.account("acc_holdout_11")
    s.user("u_hd1", "acc_holdout_11")
    s.event("acc_holdout_11", "u_hd1", "hubspot", "integration_started", at(-3))

    # Enterprise: custom_api in repeated_errors (troubleshooting + internal alert with the hand-off context;
    # stalled help superseded) and Salesforce abandoned (internal alert; reminder 3 to the starter, an admin).
    s.account("acc_ent", plan_tier="enterprise")
    s.user("u_n1", "acc_ent", role="engineer")
    s.user("u_n2", "acc_ent", role="admin")
    s.event("acc_ent", "u_n1", "custom_api", "integration_started", at(days=-4))
    s.event("acc_ent", "u_n1", "custom_api", "api_key_created", at(days=-4, hours=1))
    s.event("acc_ent", "u_n1", "custom_api", "setup_docs_viewed", at(-30))
    s.event("acc_ent", "u_n1", "custom_api", "integration_reconnect_attempted", at(-25))
    s.error("acc_ent", "u_n1", "custom_api", "rate_limited", at(-20))
    s.error("acc_ent", "u_n1", "custom_api", "rate_limited", at(-15))
    s.event("acc_ent", "u_n2", "salesforce", "integration_started", at(days=-10))

    # Abandoned on a pro plan: reminder 3 to the starter, no internal alert.
    s.account("acc_pro_abandoned")
    s.user("u_p1", "acc_pro_abandoned", role="engineer")
    s.event("acc_pro_abandoned", "u_p1", "stripe", "integration_started", at(days=-9))

    # Expiry (a journey stops cleanly, never a stale nudge): HubSpot started 8 h ago. The confirmation was due
    # 7.5 h ago, past confirmation_max_age_hours (6): expired. Reminder 2 (oauth, 6 h) is due 2 h ago: sent.
    s.account("acc_stale_confirm_1")
    s.user("u_sc1", "acc_stale_confirm_1")
    s.event("acc_stale_confirm_1", "u_sc1", "hubspot", "integration_started", at(-8))

    # Stripe key created 156 h ago and nothing since (not yet abandoned: 7 days): reminder 3 (72 h) was due
    # 84 h ago, past one more last reminder window (72 h, stalled_help_max_age_windows = 1): expired.
    s.account("acc_stale_reminder")
    s.user("u_sr1", "acc_stale_reminder", role="engineer")
    s.event("acc_stale_reminder", "u_sr1", "stripe", "integration_started", at(-160))
    s.event("acc_stale_reminder", "u_sr1", "stripe", "api_key_created", at(-156))

    # The same error twice 4 days ago, docs of the setup viewed a day ago (so not abandoned): troubleshooting
    # was due 96 h ago, past message_max_age_hours (72): expired. It no longer supersedes reminder 3 (due
    # 28.5 h ago, still current), which is sent.
    s.account("acc_stale_trouble")
    s.user("u_st1", "acc_stale_trouble", role="engineer")
    s.event("acc_stale_trouble", "u_st1", "webhook", "integration_started", at(-101))
    s.event("acc_stale_trouble", "u_st1", "webhook", "api_key_created", at(-100.5))
    s.error("acc_stale_trouble", "u_st1", "webhook", "schema_mismatch", at(-100))
    s.error("acc_stale_trouble", "u_st1", "webhook", "schema_mismatch", at(-96))
    s.event("acc_stale_trouble", "u_st1", "webhook", "setup_docs_viewed", at(-24))

    # Events of an account not (yet) in raw.accounts: no candidate at all.
    s.user("u_u1", "acc_unknown")
    s.event("acc_unknown", "u_u1", "hubspot", "integration_started", at(-3))
    return s


EXPECTED_EXPORT = {
    # (account_id, integration_type, journey_step, recipient_user_id, reminder_number)
    ("acc_handoff", "hubspot", "setup_success_handoff", "u_h1", None),
    ("acc_exit", "slack", "setup_success_handoff", "u_e1", None),
    ("acc_trouble", "stripe", "repeated_failure_troubleshooting", "u_t2", None),
    ("acc_admin", "salesforce", "admin_escalation", "u_a2", None),
    ("acc_admin", "salesforce", "setup_started_confirmation", "u_a1", None),
    ("acc_noadmin", "sending_domain", "setup_started_confirmation", "u_m1", None),
    ("acc_ent", "custom_api", "repeated_failure_troubleshooting", "u_n1", None),
    ("acc_ent", "custom_api", "internal_cs_alert", None, None),
    ("acc_ent", "salesforce", "internal_cs_alert", None, None),
    # Abandoned setups (acc_ent salesforce, acc_pro_abandoned stripe) get no stalled help: the journey stops.
    ("acc_stale_confirm_1", "hubspot", "stalled_setup_help", "u_sc1", 2),
    ("acc_stale_trouble", "webhook", "stalled_setup_help", "u_st1", 3),
}

EXPECTED_SUPPRESSIONS = {
    # (account_id, integration_type, journey_step, recipient_user_id, reminder_number, suppression_reason)
    ("acc_handoff", "hubspot", "stalled_setup_help", "u_h1", 2, "exit"),
    ("acc_exit", "slack", "setup_started_confirmation", "u_e1", None, "exit"),
    ("acc_exit", "slack", "stalled_setup_help", "u_e1", 1, "exit"),
    ("acc_trouble", "stripe", "stalled_setup_help", "u_t1", 2, "superseded"),
    ("acc_admin", "salesforce", "admin_escalation", "u_a3", None, "consent"),
    ("acc_admin", "salesforce", "stalled_setup_help", "u_a1", 1, "frequency_cap"),
    ("acc_noadmin", "sending_domain", "admin_escalation", None, None, "no_recipient"),
    ("acc_session", "slack", "setup_started_confirmation", "u_s1", None, "in_session"),
    ("acc_session", "slack", "stalled_setup_help", "u_s1", 1, "in_session"),
    ("acc_cap", "webhook", "stalled_setup_help", "u_c1", 2, "frequency_cap"),
    ("acc_sent", "custom_api", "stalled_setup_help", "u_x1", 2, "already_sent"),
    ("acc_legacy", "hubspot", "setup_started_confirmation", "u_l1", None, "already_sent"),
    ("acc_legacy", "hubspot", "stalled_setup_help", "u_l1", 1, "frequency_cap"),
    ("acc_consent", "hubspot", "setup_started_confirmation", "u_o1", None, "consent"),
    ("acc_consent", "hubspot", "stalled_setup_help", "u_o1", 1, "consent"),
    ("acc_holdout_11", "hubspot", "setup_started_confirmation", "u_hd1", None, "holdout"),
    ("acc_holdout_11", "hubspot", "stalled_setup_help", "u_hd1", 1, "holdout"),
    ("acc_ent", "custom_api", "stalled_setup_help", "u_n1", 3, "superseded"),
    ("acc_stale_confirm_1", "hubspot", "setup_started_confirmation", "u_sc1", None, "expired"),
    ("acc_stale_reminder", "stripe", "stalled_setup_help", "u_sr1", 3, "expired"),
    ("acc_stale_trouble", "webhook", "repeated_failure_troubleshooting", "u_st1", None, "expired"),
}

# The message fed back between the first and second build: the confirmation the export asked for.
SENT_ROW = ("acc_admin", "salesforce", "setup_started_confirmation", "u_a1", None)


def export_tuple(row: Row) -> tuple:
    return (row["account_id"], row["integration_type"], row["journey_step"], row["recipient_user_id"],
            row["reminder_number"])


def suppression_tuple(row: Row) -> tuple:
    return (*export_tuple(row), row["suppression_reason"])


def snapshot(warehouse) -> dict[str, list[Row]]:
    return {
        "export": warehouse.query("select * from export_journey_due order by sync_key"),
        "suppressions": warehouse.query("select * from journey_suppressions order by sync_key"),
        "guardrails": warehouse.query(
            "select sync_key, account_id, holdout_bucket from main_intermediate.int_journey_guardrails"),
    }


@pytest.fixture(scope="module")
def journey_runs(new_warehouse) -> dict[str, dict[str, list[Row]]]:
    """Three builds of one dataset: as loaded, after a sent message is fed back, and with holdout_percent=100."""
    warehouse = new_warehouse("journey")
    warehouse.load_raw(build_stories().tables())
    runs: dict[str, dict[str, list[Row]]] = {}
    warehouse.dbt(*BUILD_ARGS, as_of=AS_OF, extra_vars={"holdout_percent": HOLDOUT_PERCENT})
    runs["first"] = snapshot(warehouse)

    sent = next(row for row in runs["first"]["export"] if export_tuple(row) == SENT_ROW)
    warehouse.load_raw({"message_sends": [{
        "message_id": "m_fed_back", "sync_key": sent["sync_key"], "account_id": sent["account_id"],
        "integration_type": sent["integration_type"], "user_id": sent["recipient_user_id"],
        "journey_step": sent["journey_step"], "reminder_number": sent["reminder_number"], "sent_at": at(-1),
    }]}, replace=False)
    warehouse.dbt(*BUILD_ARGS, as_of=AS_OF, extra_vars={"holdout_percent": HOLDOUT_PERCENT})
    runs["after_send"] = snapshot(warehouse)

    warehouse.dbt(*BUILD_ARGS, as_of=AS_OF, extra_vars={"holdout_percent": 100})
    runs["full_holdout"] = snapshot(warehouse)
    return runs


def test_story_accounts_fall_in_the_intended_holdout_buckets(journey_runs):
    buckets = {row["account_id"]: row["holdout_bucket"] for row in journey_runs["first"]["guardrails"]}
    assert buckets == {account_id: bucket(account_id) for account_id in buckets}
    assert buckets["acc_holdout_11"] < HOLDOUT_PERCENT
    assert all(value >= HOLDOUT_PERCENT for account_id, value in buckets.items() if account_id != "acc_holdout_11")


def test_export_rows_are_exactly_the_expected_messages(journey_runs):
    assert sorted(map(export_tuple, journey_runs["first"]["export"]), key=str) == sorted(EXPECTED_EXPORT, key=str)


def test_suppressions_are_exactly_the_expected_candidates_with_their_first_guardrail(journey_runs):
    actual = sorted(map(suppression_tuple, journey_runs["first"]["suppressions"]), key=str)
    assert actual == sorted(EXPECTED_SUPPRESSIONS, key=str)


def test_sync_key_follows_the_documented_formula_and_is_unique(journey_runs):
    rows = journey_runs["first"]["export"] + journey_runs["first"]["suppressions"]
    keys = [row["sync_key"] for row in rows]
    assert len(keys) == len(set(keys))
    for row in rows:
        recipient = row["recipient_user_id"] or ("internal" if row["channel"] == "internal" else None)
        troubleshooting_code = row["error_code"] if row["journey_step"] == "repeated_failure_troubleshooting" else None
        expected = sync_key(row["account_id"], row["integration_type"], row["journey_step"], recipient,
                            row["next_required_step"], row["reminder_number"], troubleshooting_code,
                            row["alert_reason"])
        assert row["sync_key"] == expected, row


def test_personalisation_columns(journey_runs):
    rows = {export_tuple(row): row for row in journey_runs["first"]["export"]}
    trouble = rows[("acc_trouble", "stripe", "repeated_failure_troubleshooting", "u_t2", None)]
    assert trouble["error_code"] == "invalid_api_key"
    assert trouble["error_class"] == "auth"
    assert trouble["environment"] == "production"
    assert trouble["workspace_name"] == "acc_trouble Inc"
    assert trouble["integration_display_name"] == "Stripe"
    assert trouble["last_completed_step"] == "api_key_created"
    assert trouble["next_required_step"] == "test_event_sent"
    assert trouble["next_action"]
    assert trouble["recipient_email"] == "u_t2@example.com"
    assert trouble["recipient_role"] == "engineer"
    assert trouble["due_at"] == at(-5)
    assert trouble["expires_at"] == at(-5 + 72)
    # A timestamp, not "hours since": the row stays identical from one night to the next.
    assert trouble["last_progress_at"] == at(-47)
    assert trouble["template_id"] == "tmpl_repeated_failure_troubleshooting"
    assert trouble["channel"] == "email"
    assert trouble["priority"] == 2
    assert trouble["alert_reason"] is None and trouble["restart_count"] is None

    admin = rows[("acc_admin", "salesforce", "admin_escalation", "u_a2", None)]
    assert admin["due_at"] == at(-2)
    confirmation = rows[("acc_admin", "salesforce", "setup_started_confirmation", "u_a1", None)]
    assert confirmation["due_at"] == at(-2.5)
    handoff = rows[("acc_handoff", "hubspot", "setup_success_handoff", "u_h1", None)]
    assert handoff["due_at"] == at(-26)
    assert handoff["next_required_step"] is None and handoff["next_action"]
    stalled = rows[("acc_stale_confirm_1", "hubspot", "stalled_setup_help", "u_sc1", 2)]
    assert stalled["due_at"] == at(-8) + timedelta(minutes=360)
    # Expires the path's last reminder window (oauth: 2 days) after it became due.
    assert stalled["expires_at"] == at(-8) + timedelta(minutes=360 + 2880)


def test_expired_candidates_record_their_age_and_every_export_row_is_fresh(journey_runs):
    first = journey_runs["first"]
    expired = {export_tuple(row): row for row in first["suppressions"] if row["suppression_reason"] == "expired"}
    confirm = expired[("acc_stale_confirm_1", "hubspot", "setup_started_confirmation", "u_sc1", None)]
    assert (confirm["due_at"], confirm["expires_at"]) == (at(-7.5), at(-1.5))
    reminder = expired[("acc_stale_reminder", "stripe", "stalled_setup_help", "u_sr1", 3)]
    assert (reminder["due_at"], reminder["expires_at"]) == (at(-156 + 72), at(-156 + 144))
    trouble = expired[("acc_stale_trouble", "webhook", "repeated_failure_troubleshooting", "u_st1", None)]
    assert (trouble["due_at"], trouble["expires_at"]) == (at(-96), at(-96 + 72))
    assert all(row["expires_at"] >= NOW >= row["due_at"] for row in first["export"])
    # Abandoned setups: the internal alert where it applies, never a reminder, not even a suppressed one.
    abandoned = [row for row in first["export"] + first["suppressions"]
                 if row["account_id"] in {"acc_pro_abandoned", "acc_ent"} and row["integration_type"] in {
                     "stripe", "salesforce"}]
    assert [(row["account_id"], row["journey_step"]) for row in abandoned] == [("acc_ent", "internal_cs_alert")]


def test_internal_alerts_carry_the_hand_off_context(journey_runs):
    alerts = {row["integration_type"]: row for row in journey_runs["first"]["export"]
              if row["journey_step"] == "internal_cs_alert"}
    repeated = alerts["custom_api"]
    assert {key: repeated[key] for key in [
        "alert_reason", "channel", "recipient_user_id", "recipient_email", "integration_display_name",
        "starter_role", "restart_count", "error_count", "reconnect_attempt_count", "docs_view_count",
        "last_completed_step", "error_code", "error_class", "messages_sent_count", "due_at",
    ]} == {
        "alert_reason": "repeated_errors", "channel": "internal", "recipient_user_id": None, "recipient_email": None,
        "integration_display_name": "Custom API", "starter_role": "engineer", "restart_count": 0, "error_count": 2,
        "reconnect_attempt_count": 1, "docs_view_count": 1, "last_completed_step": "api_key_created",
        "error_code": "rate_limited", "error_class": "rate_limit", "messages_sent_count": 0, "due_at": at(-15),
    }
    abandoned = alerts["salesforce"]
    assert abandoned["alert_reason"] == "abandoned"
    assert abandoned["starter_role"] == "admin"
    assert abandoned["due_at"] == at(days=-3)


def test_a_sent_message_moves_to_already_sent_and_nothing_else_changes(journey_runs):
    first, second = journey_runs["first"], journey_runs["after_send"]
    sent_key = next(row["sync_key"] for row in first["export"] if export_tuple(row) == SENT_ROW)

    assert {row["sync_key"]: row for row in second["export"]} == {
        row["sync_key"]: row for row in first["export"] if row["sync_key"] != sent_key}
    moved = [row for row in second["suppressions"] if row["sync_key"] == sent_key]
    assert [suppression_tuple(row) for row in moved] == [(*SENT_ROW, "already_sent")]
    assert {row["sync_key"]: row for row in second["suppressions"] if row["sync_key"] != sent_key} == {
        row["sync_key"]: row for row in first["suppressions"]}


def test_holdout_of_every_account_leaves_only_internal_alerts(journey_runs):
    full = journey_runs["full_holdout"]
    assert sorted(map(export_tuple, full["export"]), key=str) == sorted(
        (row for row in EXPECTED_EXPORT if row[2] == "internal_cs_alert"), key=str)
    reasons = {suppression_tuple(row)[:5]: row["suppression_reason"] for row in full["suppressions"]}
    # Guardrails before holdout keep their reason; every other user-facing candidate is held out.
    assert reasons[("acc_exit", "slack", "stalled_setup_help", "u_e1", 1)] == "exit"
    assert reasons[("acc_sent", "custom_api", "stalled_setup_help", "u_x1", 2)] == "already_sent"
    assert reasons[SENT_ROW] == "already_sent"
    assert reasons[("acc_noadmin", "sending_domain", "admin_escalation", None, None)] == "no_recipient"
    assert reasons[("acc_trouble", "stripe", "repeated_failure_troubleshooting", "u_t2", None)] == "holdout"
    assert reasons[("acc_admin", "salesforce", "admin_escalation", "u_a3", None)] == "holdout"
    # Same candidates in every run: the keys of the first run are all still there, in one place each.
    first_keys = {row["sync_key"] for row in journey_runs["first"]["export"] + journey_runs["first"]["suppressions"]}
    assert {row["sync_key"] for row in full["export"] + full["suppressions"]} == first_keys
