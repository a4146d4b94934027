"""Raw data for the project: a deterministic, story-driven demo and a vectorised synthetic generator.

The demo (`write_demo`) is a few hundred accounts anchored at `DEMO_AS_OF`. Each rule of SPEC
sections 5-7 has at least one account built by a small scenario function below, so a reader can
see which account demonstrates which rule: `DEMO_STORIES` maps account_id -> story name, where the
story name is a friction segment, a journey step (stalled help as `stalled_setup_help_reminder_<n>`),
a guardrail (`guardrail_<name>`), a dirty-row kind (`dirty_<kind>`) or another edge case.
Every threshold is cleared by a margin of a few hours, so stories do not depend on edges.

The synthetic generator (`write_synthetic`) produces realistic data at scale with numpy, in chunks
of accounts, straight into DuckDB.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from setup_journeys import DEMO_AS_OF
from setup_journeys import message_sends
from setup_journeys.raw_schema import RAW_TABLES, create_raw_schema, insert_frame, row_counts
from setup_journeys.vocabulary import load as load_vocabulary

# --------------------------------------------------------------------------------------------
# Shared vocabulary, read from the seeds (setup_journeys.vocabulary): the generator only needs names.
# --------------------------------------------------------------------------------------------

_VOCABULARY = load_vocabulary()
PATH_STEPS: dict[str, list[str]] = {path: list(steps) for path, steps in _VOCABULARY.path_steps.items()}
CATALOG: dict[str, str] = dict(_VOCABULARY.integration_paths)
REQUIRES_ADMIN = set(_VOCABULARY.admin_integrations)
ROLES = list(_VOCABULARY.user_roles)
ADMIN_ROLES = set(_VOCABULARY.admin_roles)
PLAN_TIERS = list(_VOCABULARY.plan_tiers)
ACQUISITION_SOURCES = ["organic_search", "paid_search", "referral", "partner", "outbound_sales", "product_hunt"]
SETUP_SURFACES = ["onboarding_checklist", "settings_page", "in_app_prompt"]
# Error codes that fit each path (SPEC section 4 taxonomy), plus an unknown one. Keyed by path because
# which errors a path's users meet is the generator's own knowledge; a path added to the seeds needs its
# codes here (a KeyError says so).
PATH_ERROR_CODES: dict[str, list[str]] = {  # vocabulary-ok: generator knowledge per path, not a list of paths
    "oauth": ["oauth_denied", "oauth_scope_missing", "auth_failed", "sync_failed", "no_events_received", "rate_limited"],
    "api": [
        "invalid_api_key",
        "schema_mismatch",
        "missing_required_property",
        "destination_unreachable",
        "delivery_rejected",
        "no_events_received",
        "rate_limited",
        "weird_timeout",
    ],
    "domain": ["dns_check_failed", "dns_record_missing", "delivery_rejected"],
}
# Error events that carry their own default error_code (SPEC section 3).
SELF_CODED_ERRORS = {"auth_failed", "sync_failed", "dns_check_failed"}

DEMO_SEED = 20260310
_AS_OF = datetime.fromisoformat(DEMO_AS_OF)


# --------------------------------------------------------------------------------------------
# Demo dataset
# --------------------------------------------------------------------------------------------


def _ago(days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
    """A time before DEMO_AS_OF, rounded to the second (negative values give times after it)."""
    delta = timedelta(days=days, hours=hours, minutes=minutes)
    return (_AS_OF - delta).replace(microsecond=0)


@dataclass
class _User:
    user_id: str
    role: str
    email_opt_out: bool = False


@dataclass
class _Account:
    account_id: str
    plan_tier: str
    users: list[_User] = field(default_factory=list)

    def user(self, role: str) -> _User:
        """The first user with this role."""
        return next(user for user in self.users if user.role == role)


class _DemoBuilder:
    """Collects rows for the four raw tables in a fixed order, with deterministic ids and jitter."""

    def __init__(self, seed: int = DEMO_SEED) -> None:
        self.rng = random.Random(seed)
        self.events: list[dict[str, Any]] = []
        self.accounts: list[dict[str, Any]] = []
        self.users: list[dict[str, Any]] = []
        self.sends: list[dict[str, Any]] = []
        self.stories: dict[str, str] = {}
        self.story_integrations: dict[str, str | None] = {}
        self._event_seq = 0
        self._send_seq = 0

    # -- entities ------------------------------------------------------------------------------
    def account(
        self,
        account_id: str,
        *,
        roles: list[str],
        plan_tier: str | None = None,
        signed_up_at: datetime | None = None,
        source: str | None = None,
        opted_out_roles: tuple[str, ...] = (),
        story: str | None = None,
        integration: str | None = None,
        in_raw_accounts: bool = True,
    ) -> _Account:
        """Add an account (one raw.accounts row) and its users (one raw.users row each)."""
        rng = self.rng
        plan_tier = plan_tier or rng.choices(PLAN_TIERS, weights=[40, 30, 20, 10])[0]
        signed_up_at = signed_up_at or _ago(days=rng.uniform(14, 70))
        signed_up_at = signed_up_at.replace(microsecond=0)
        source = source or rng.choice(ACQUISITION_SOURCES)
        account = _Account(account_id, plan_tier)
        if in_raw_accounts:
            self.accounts.append(
                {
                    "account_id": account_id,
                    "account_name": account_id.replace("acc_", "").replace("_", " ").title() + " Inc",
                    "plan_tier": plan_tier,
                    "signed_up_at": signed_up_at,
                    "acquisition_source": source,
                    "updated_at": signed_up_at,
                }
            )
        for number, role in enumerate(roles, start=1):
            user = _User(f"{account_id}_u{number}", role, role in opted_out_roles)
            account.users.append(user)
            created_at = signed_up_at + timedelta(minutes=5 * (number - 1))
            self.users.append(
                {
                    "user_id": user.user_id,
                    "account_id": account_id,
                    "email": f"{role}{number}@{account_id.replace('_', '-')}.example.com",
                    "role": role,
                    "email_opt_out": user.email_opt_out,
                    "created_at": created_at,
                    "updated_at": created_at,
                }
            )
        if story:
            self.stories[account_id] = story
            self.story_integrations[account_id] = integration
        return account

    def account_change(self, account: _Account, at: datetime, **changes: Any) -> None:
        """A later CDC row for an account (e.g. a plan upgrade)."""
        latest = [row for row in self.accounts if row["account_id"] == account.account_id][-1]
        self.accounts.append({**latest, **changes, "updated_at": at.replace(microsecond=0)})
        if "plan_tier" in changes:
            account.plan_tier = changes["plan_tier"]

    def user_change(self, user: _User, at: datetime, **changes: Any) -> None:
        """A later CDC row for a user (e.g. a role change or an opt-out)."""
        latest = [row for row in self.users if row["user_id"] == user.user_id][-1]
        self.users.append({**latest, **changes, "updated_at": at})
        user.role = changes.get("role", user.role)
        user.email_opt_out = changes.get("email_opt_out", user.email_opt_out)

    # -- events --------------------------------------------------------------------------------
    def event(
        self,
        account: _Account | str | None,
        name: str,
        at: datetime | None,
        *,
        user: _User | None = None,
        integration: str | None = None,
        props: dict[str, Any] | None = None,
        raw_properties: str | None = None,
        received_at: datetime | None = None,
        event_id: str | None = "auto",
    ) -> dict[str, Any]:
        """Append one raw event; received_at defaults to occurred_at + a few seconds."""
        if event_id == "auto":
            self._event_seq += 1
            event_id = f"evt_demo_{self._event_seq:06d}"
        at = at.replace(microsecond=0) if at is not None else None
        if received_at is None:
            base = at if at is not None else _ago(days=1)
            received_at = base + timedelta(seconds=self.rng.randint(2, 90))
        properties = raw_properties if raw_properties is not None else (
            json.dumps(props, sort_keys=True) if props is not None else None
        )
        row = {
            "event_id": event_id,
            "event_name": name,
            "occurred_at": at,
            "received_at": received_at,
            "account_id": account.account_id if isinstance(account, _Account) else account,
            "user_id": user.user_id if user else None,
            "integration_type": integration,
            "properties": properties,
        }
        self.events.append(row)
        return row

    def redeliver(self, row: dict[str, Any], after: timedelta) -> None:
        """The pipeline delivers the same event again later (same event_id, later received_at)."""
        self.events.append({**row, "received_at": row["received_at"] + after})

    def setup(
        self,
        account: _Account,
        integration: str,
        user: _User,
        steps: list[tuple[str, datetime]],
        *,
        surface: str = "onboarding_checklist",
    ) -> None:
        """Milestone events of one setup, with the properties the producers send."""
        for name, at in steps:
            props: dict[str, Any] = {"setup_surface": surface}
            if name == "integration_started":
                props.update(provider=integration, initiated_by_role=user.role)
            elif name == "api_key_created":
                props.update(key_scope="write", environment="production")
            elif name in {"domain_verification_started", "domain_verified"}:
                props.update(domain=f"mail.{account.account_id.replace('_', '-')}.example.com",
                             verification_method="dns_txt")
            elif name in {"test_event_sent", "first_api_call_success"}:
                props.update(environment="production")
            self.event(account, name, at, user=user, integration=integration, props=props)

    def error(
        self, account: _Account, integration: str, user: _User | None, at: datetime, code: str | None,
        *, name: str = "setup_error_seen",
    ) -> None:
        """An error event; self-coded error names may omit error_code (code=None)."""
        props = {"environment": "production"}
        if code is not None:
            props["error_code"] = code
        self.event(account, name, at, user=user, integration=integration, props=props)

    def send(
        self, account: _Account, integration: str | None, user: _User | None, journey_step: str, at: datetime,
        reminder_number: int | None = None,
    ) -> None:
        """A message the messaging tool already sent (fed back into raw.message_sends)."""
        self._send_seq += 1
        self.sends.append(
            {
                "message_id": f"msg_demo_{self._send_seq:05d}",
                "sync_key": f"demo-{self._send_seq:05d}-{account.account_id}",
                "account_id": account.account_id,
                "integration_type": integration,
                "user_id": user.user_id if user else None,
                "journey_step": journey_step,
                "reminder_number": reminder_number,
                "sent_at": at,
            }
        )

    def frames(self) -> dict[str, pd.DataFrame]:
        rows = {"setup_events": self.events, "accounts": self.accounts, "users": self.users,
                "message_sends": self.sends}
        frames = {}
        for table, columns in RAW_TABLES.items():
            frame = pd.DataFrame(rows[table], columns=list(columns))
            for column, type_ in columns.items():
                if type_ == "TIMESTAMP":
                    frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
                elif type_ == "INTEGER":
                    frame[column] = frame[column].astype("Int32")
                elif type_ == "BOOLEAN":
                    frame[column] = frame[column].astype("boolean")
                else:
                    frame[column] = frame[column].astype("object")
            frames[table] = frame
        return frames


# -- friction segments (SPEC section 6) -------------------------------------------------------

def _started_no_credentials(b: _DemoBuilder) -> None:
    acc = b.account("acc_started_no_credentials", roles=["owner", "engineer"],
                    story="started_no_credentials", integration="hubspot")
    b.setup(acc, "hubspot", acc.user("engineer"), [("integration_started", _ago(hours=5))])


def _credentials_no_connection(b: _DemoBuilder) -> None:
    acc = b.account("acc_credentials_no_connection", roles=["owner", "engineer"],
                    story="credentials_no_connection", integration="stripe")
    b.setup(acc, "stripe", acc.user("engineer"),
            [("integration_started", _ago(hours=52)), ("api_key_created", _ago(hours=50))])


def _connected_no_data(b: _DemoBuilder) -> None:
    acc = b.account("acc_connected_no_data", roles=["owner", "marketer"],
                    story="connected_no_data", integration="slack")
    user = acc.user("marketer")
    b.setup(acc, "slack", user, [("integration_started", _ago(hours=41)), ("integration_connected", _ago(hours=40))])
    # The UI's last screen is not completion: the setup still has no data.
    b.event(acc, "integration_setup_completed", _ago(hours=40) + timedelta(minutes=1), user=user,
            integration="slack", props={"setup_surface": "settings_page"})


def _domain_verification_pending(b: _DemoBuilder) -> None:
    acc = b.account("acc_domain_verification_pending", roles=["owner", "admin"],
                    story="domain_verification_pending", integration="sending_domain")
    admin = acc.user("admin")
    b.setup(acc, "sending_domain", admin, [("integration_started", _ago(hours=80)),
                                            ("domain_verification_started", _ago(hours=78))])
    # A system DNS check without error_code: the code defaults to the event name.
    b.error(acc, "sending_domain", None, _ago(hours=60), None, name="dns_check_failed")


def _repeated_errors(b: _DemoBuilder) -> None:
    acc = b.account("acc_repeated_errors", roles=["owner", "engineer"], plan_tier="pro",
                    story="repeated_errors", integration="custom_api")
    engineer = acc.user("engineer")
    b.setup(acc, "custom_api", engineer, [("integration_started", _ago(hours=20)), ("api_key_created", _ago(hours=19))])
    b.error(acc, "custom_api", engineer, _ago(hours=10), "schema_mismatch")
    b.error(acc, "custom_api", engineer, _ago(hours=6), "schema_mismatch")


def _auth_scope_denied(b: _DemoBuilder) -> None:
    acc = b.account("acc_auth_scope_denied", roles=["admin", "member"], plan_tier="pro",
                    story="auth_scope_denied", integration="salesforce")
    admin = acc.user("admin")
    b.setup(acc, "salesforce", admin, [("integration_started", _ago(hours=10))])
    b.error(acc, "salesforce", admin, _ago(hours=9), "oauth_scope_missing")


def _bad_event_shape(b: _DemoBuilder) -> None:
    acc = b.account("acc_bad_event_shape", roles=["owner", "engineer"], story="bad_event_shape", integration="webhook")
    engineer = acc.user("engineer")
    b.setup(acc, "webhook", engineer, [("integration_started", _ago(hours=30)), ("api_key_created", _ago(hours=29)),
                                       ("test_event_sent", _ago(hours=28))])
    b.error(acc, "webhook", engineer, _ago(hours=20), "missing_required_property")


def _delivery_failing(b: _DemoBuilder) -> None:
    acc = b.account("acc_delivery_failing", roles=["owner", "engineer"], story="delivery_failing", integration="webhook")
    engineer = acc.user("engineer")
    b.setup(acc, "webhook", engineer, [("integration_started", _ago(hours=74)), ("api_key_created", _ago(hours=73)),
                                       ("test_event_sent", _ago(hours=70))])
    b.error(acc, "webhook", engineer, _ago(hours=48), "destination_unreachable")
    b.error(acc, "webhook", engineer, _ago(hours=30), "delivery_rejected")
    b.event(acc, "support_ticket_opened", _ago(hours=29), user=engineer, integration="webhook",
            props={"setup_surface": "settings_page"})


def _reconnect_loop(b: _DemoBuilder) -> None:
    acc = b.account("acc_reconnect_loop", roles=["owner", "member"], story="reconnect_loop", integration="hubspot")
    owner = acc.user("owner")
    b.setup(acc, "hubspot", owner, [("integration_started", _ago(hours=100)), ("integration_connected", _ago(hours=99))])
    b.event(acc, "integration_status_viewed", _ago(hours=60), user=owner, integration="hubspot",
            props={"status": "pending"})
    b.event(acc, "integration_reconnect_attempted", _ago(hours=59), user=owner, integration="hubspot",
            props={"setup_surface": "settings_page"})
    b.event(acc, "integration_reconnect_attempted", _ago(hours=54), user=owner, integration="hubspot",
            props={"setup_surface": "settings_page"})
    b.event(acc, "integration_status_viewed", _ago(hours=53), user=owner, integration="hubspot",
            props={"status": "connected"})


def _high_intent_stalled(b: _DemoBuilder) -> None:
    acc = b.account("acc_high_intent_stalled", roles=["owner", "engineer", "member"],
                    story="high_intent_stalled", integration="stripe")
    engineer = acc.user("engineer")
    b.setup(acc, "stripe", engineer, [("integration_started", _ago(hours=70)), ("api_key_created", _ago(hours=69))])
    b.event(acc, "setup_docs_viewed", _ago(hours=40), user=engineer, integration="stripe",
            props={"setup_surface": "in_app_prompt"})
    # Pricing viewed by someone else, without integration_type: still counts for the account.
    b.event(acc, "pricing_viewed", _ago(hours=30), user=acc.user("owner"), props={})


def _needs_admin(b: _DemoBuilder) -> None:
    acc = b.account("acc_needs_admin", roles=["owner", "marketer"], story="needs_admin", integration="salesforce")
    b.setup(acc, "salesforce", acc.user("marketer"), [("integration_started", _ago(hours=5))])


def _abandoned(b: _DemoBuilder) -> None:
    acc = b.account("acc_abandoned", roles=["owner", "member"], story="abandoned", integration="slack",
                    signed_up_at=_ago(days=30))
    owner = acc.user("owner")
    b.setup(acc, "slack", owner, [("integration_started", _ago(days=12)), ("integration_connected", _ago(days=11))])


# -- journey steps (SPEC section 6) -----------------------------------------------------------

def _setup_success_handoff(b: _DemoBuilder) -> None:
    acc = b.account("acc_setup_success_handoff", roles=["owner", "member"], story="setup_success_handoff",
                    integration="hubspot")
    member = acc.user("member")
    b.setup(acc, "hubspot", member, [("integration_started", _ago(hours=75)), ("integration_connected", _ago(hours=74)),
                                     ("sync_completed", _ago(hours=50))])
    b.event(acc, "integration_setup_completed", _ago(hours=74) + timedelta(minutes=2), user=member,
            integration="hubspot", props={"setup_surface": "onboarding_checklist"})
    b.event(acc, "integration_status_viewed", _ago(hours=49), user=member, integration="hubspot",
            props={"status": "connected"})
    b.event(acc, "workflow_launched", _ago(hours=26), user=member, props={"setup_surface": "in_app_prompt"})


def _repeated_failure_troubleshooting(b: _DemoBuilder) -> None:
    acc = b.account("acc_repeated_failure_troubleshooting", roles=["owner", "engineer"],
                    story="repeated_failure_troubleshooting", integration="stripe")
    b.setup(acc, "stripe", acc.user("owner"), [("integration_started", _ago(hours=30)),
                                               ("api_key_created", _ago(hours=29))])
    # The engineer hits the errors, so troubleshooting goes to the engineer, not the starter.
    engineer = acc.user("engineer")
    b.error(acc, "stripe", engineer, _ago(hours=15), "invalid_api_key")
    b.error(acc, "stripe", engineer, _ago(hours=9), "invalid_api_key")


def _admin_escalation(b: _DemoBuilder) -> None:
    acc = b.account("acc_admin_escalation", roles=["engineer", "owner", "admin"], story="admin_escalation",
                    integration="sending_domain")
    b.setup(acc, "sending_domain", acc.user("engineer"), [("integration_started", _ago(hours=6))])


def _setup_started_confirmation(b: _DemoBuilder) -> None:
    acc = b.account("acc_setup_started_confirmation", roles=["owner", "marketer"],
                    story="setup_started_confirmation", integration="slack")
    b.setup(acc, "slack", acc.user("marketer"), [("integration_started", _ago(hours=3))])


def _stalled_setup_help_1(b: _DemoBuilder) -> None:
    # api path, last progress 4 h ago: reminder 1 (2 h) elapsed, reminder 2 (24 h) not.
    acc = b.account("acc_stalled_reminder_1", roles=["owner", "engineer"], story="stalled_setup_help_reminder_1",
                    integration="custom_api")
    b.setup(acc, "custom_api", acc.user("engineer"), [("integration_started", _ago(hours=30)),
                                                       ("api_key_created", _ago(hours=29)),
                                                       ("test_event_sent", _ago(hours=4))])


def _stalled_setup_help_2(b: _DemoBuilder) -> None:
    # oauth path, last progress 10 h ago: reminder 2 (6 h) elapsed, reminder 3 (2 d) not.
    acc = b.account("acc_stalled_reminder_2", roles=["owner", "marketer"], story="stalled_setup_help_reminder_2",
                    integration="slack")
    b.setup(acc, "slack", acc.user("owner"), [("integration_started", _ago(hours=30)),
                                              ("integration_connected", _ago(hours=10))])


def _stalled_setup_help_3(b: _DemoBuilder) -> None:
    # domain path, last progress 5 d ago: reminder 3 (4 d) elapsed, not yet abandoned (7 d).
    acc = b.account("acc_stalled_reminder_3", roles=["owner", "admin"], story="stalled_setup_help_reminder_3",
                    integration="sending_domain")
    b.setup(acc, "sending_domain", acc.user("admin"), [("integration_started", _ago(days=5, hours=6)),
                                                        ("domain_verification_started", _ago(days=5, hours=5)),
                                                        ("domain_verified", _ago(days=5))])


def _internal_cs_alert_repeated(b: _DemoBuilder) -> None:
    acc = b.account("acc_internal_cs_alert_repeated_errors", roles=["owner", "admin", "engineer"],
                    plan_tier="enterprise", story="internal_cs_alert", integration="salesforce")
    admin = acc.user("admin")
    b.setup(acc, "salesforce", admin, [("integration_started", _ago(hours=28)),
                                       ("integration_connected", _ago(hours=27))])
    # auth_failed without error_code: the code defaults to 'auth_failed'.
    b.error(acc, "salesforce", admin, _ago(hours=20), None, name="auth_failed")
    b.error(acc, "salesforce", admin, _ago(hours=16), None, name="auth_failed")
    b.event(acc, "setup_docs_viewed", _ago(hours=15), user=admin, integration="salesforce",
            props={"setup_surface": "settings_page"})


def _internal_cs_alert_abandoned(b: _DemoBuilder) -> None:
    acc = b.account("acc_internal_cs_alert_abandoned", roles=["owner", "engineer"], plan_tier="enterprise",
                    story="internal_cs_alert_abandoned", integration="stripe", signed_up_at=_ago(days=40))
    b.setup(acc, "stripe", acc.user("engineer"), [("integration_started", _ago(days=15)),
                                                   ("api_key_created", _ago(days=14, hours=20))])
    b.error(acc, "stripe", acc.user("engineer"), _ago(days=14), "weird_timeout")


# -- guardrails (SPEC section 6) --------------------------------------------------------------

def _guardrail_exit(b: _DemoBuilder) -> None:
    # The marketer started (needs_admin would apply) but the admin completed it: only the handoff.
    acc = b.account("acc_guardrail_exit", roles=["marketer", "admin"], story="guardrail_exit", integration="salesforce")
    b.setup(acc, "salesforce", acc.user("marketer"), [("integration_started", _ago(hours=60))])
    b.setup(acc, "salesforce", acc.user("admin"), [("integration_connected", _ago(hours=40)),
                                                   ("sync_completed", _ago(hours=38))])


def _guardrail_in_session(b: _DemoBuilder) -> None:
    acc = b.account("acc_guardrail_in_session", roles=["owner", "engineer"], story="guardrail_in_session",
                    integration="stripe")
    b.setup(acc, "stripe", acc.user("engineer"), [("integration_started", _ago(hours=4)),
                                                   ("api_key_created", _ago(minutes=12))])


def _guardrail_frequency_cap(b: _DemoBuilder) -> None:
    # A confirmation is due, but the starter got another message 5 h ago.
    acc = b.account("acc_guardrail_frequency_cap", roles=["owner", "member"], story="guardrail_frequency_cap",
                    integration="slack")
    owner = acc.user("owner")
    b.setup(acc, "stripe", owner, [("integration_started", _ago(days=4)), ("api_key_created", _ago(days=3, hours=12))])
    b.send(acc, "stripe", owner, "stalled_setup_help", _ago(hours=5), reminder_number=3)
    b.setup(acc, "slack", owner, [("integration_started", _ago(hours=3))])


def _guardrail_priority_within_run(b: _DemoBuilder) -> None:
    # The same user is due a success handoff (priority 1) and a confirmation (priority 4).
    acc = b.account("acc_guardrail_priority_within_run", roles=["owner", "engineer"],
                    story="guardrail_frequency_cap_within_run", integration="webhook")
    engineer = acc.user("engineer")
    b.setup(acc, "webhook", engineer, [("integration_started", _ago(hours=50)), ("api_key_created", _ago(hours=49)),
                                       ("test_event_sent", _ago(hours=48)), ("first_api_call_success", _ago(hours=40))])
    b.setup(acc, "custom_api", engineer, [("integration_started", _ago(hours=3))])


def _guardrail_consent(b: _DemoBuilder) -> None:
    # The starter opted out after signing up (CDC row): no user-facing message.
    acc = b.account("acc_guardrail_consent", roles=["owner", "marketer"], story="guardrail_consent",
                    integration="slack")
    marketer = acc.user("marketer")
    b.user_change(marketer, _ago(days=2), email_opt_out=True)
    b.setup(acc, "slack", marketer, [("integration_started", _ago(hours=3))])


def _guardrail_superseded(b: _DemoBuilder) -> None:
    # Troubleshooting was sent after the last progress; stalled help must not be sent.
    acc = b.account("acc_guardrail_superseded", roles=["owner", "engineer"], story="guardrail_superseded",
                    integration="stripe")
    engineer = acc.user("engineer")
    b.setup(acc, "stripe", engineer, [("integration_started", _ago(hours=62)), ("api_key_created", _ago(hours=60))])
    b.error(acc, "stripe", engineer, _ago(hours=50), "invalid_api_key")
    b.error(acc, "stripe", engineer, _ago(hours=46), "invalid_api_key")
    b.send(acc, "stripe", engineer, "repeated_failure_troubleshooting", _ago(hours=45))


def _guardrail_already_sent_history(b: _DemoBuilder) -> None:
    # Earlier journey messages for this setup (the sync_key formula lives in the models).
    acc = b.account("acc_guardrail_message_history", roles=["owner", "engineer"], story="guardrail_already_sent",
                    integration="custom_api")
    engineer = acc.user("engineer")
    b.setup(acc, "custom_api", engineer, [("integration_started", _ago(hours=54)), ("api_key_created", _ago(hours=53))])
    b.send(acc, "custom_api", engineer, "setup_started_confirmation", _ago(hours=53))
    b.send(acc, "custom_api", engineer, "stalled_setup_help", _ago(hours=50), reminder_number=1)
    b.send(acc, "custom_api", engineer, "stalled_setup_help", _ago(hours=20), reminder_number=2)


# -- other edge cases -------------------------------------------------------------------------

def _not_started(b: _DemoBuilder) -> None:
    b.account("acc_not_started", roles=["owner"], story="not_started")
    acc = b.account("acc_not_started_browsing", roles=["owner", "member"], story="not_started_docs_only")
    b.event(acc, "setup_docs_viewed", _ago(hours=30), user=acc.user("member"), props={})


def _error_recovery(b: _DemoBuilder) -> None:
    acc = b.account("acc_error_recovery", roles=["owner", "engineer"], story="error_recovery", integration="custom_api")
    engineer = acc.user("engineer")
    b.setup(acc, "custom_api", engineer, [("integration_started", _ago(days=6)), ("api_key_created", _ago(days=6))])
    b.error(acc, "custom_api", engineer, _ago(days=5, hours=20), "invalid_api_key")
    b.error(acc, "custom_api", engineer, _ago(days=5, hours=18), "rate_limited")
    b.setup(acc, "custom_api", engineer, [("test_event_sent", _ago(days=5, hours=10)),
                                          ("first_api_call_success", _ago(days=5, hours=9))])
    b.event(acc, "workflow_launched", _ago(days=4), user=engineer, props={})


def _restart(b: _DemoBuilder) -> None:
    acc = b.account("acc_restart", roles=["owner", "engineer"], story="restart", integration="webhook",
                    signed_up_at=_ago(days=40))
    engineer = acc.user("engineer")
    b.setup(acc, "webhook", engineer, [("integration_started", _ago(days=25))])
    b.setup(acc, "webhook", engineer, [("integration_started", _ago(hours=50)), ("api_key_created", _ago(hours=49))])


def _completion_only(b: _DemoBuilder) -> None:
    acc = b.account("acc_completion_without_steps", roles=["owner"], story="completion_without_earlier_steps",
                    integration="hubspot")
    b.setup(acc, "hubspot", acc.user("owner"), [("sync_completed", _ago(days=3))])


def _events_after_as_of(b: _DemoBuilder) -> None:
    acc = b.account("acc_events_after_as_of", roles=["owner", "engineer"], story="events_after_as_of",
                    integration="stripe")
    engineer = acc.user("engineer")
    b.setup(acc, "stripe", engineer, [("integration_started", _ago(hours=30)), ("api_key_created", _ago(hours=29))])
    # Completion happens after as_of: invisible to an as_of build.
    b.setup(acc, "stripe", engineer, [("test_event_sent", _ago(hours=-2)), ("first_api_call_success", _ago(hours=-3))])


def _unknown_integration(b: _DemoBuilder) -> None:
    acc = b.account("acc_unknown_integration", roles=["owner", "engineer"], story="integration_not_in_catalog",
                    integration="zendesk")
    engineer = acc.user("engineer")
    b.setup(acc, "zendesk", engineer, [("integration_started", _ago(hours=40)), ("api_key_created", _ago(hours=39))])
    b.error(acc, "zendesk", engineer, _ago(hours=38), "invalid_api_key")


def _missing_account(b: _DemoBuilder) -> None:
    acc = b.account("acc_missing_from_raw_accounts", roles=["owner"], story="account_not_in_raw_accounts",
                    integration="slack", in_raw_accounts=False)
    b.setup(acc, "slack", acc.user("owner"), [("integration_started", _ago(hours=20)),
                                              ("integration_connected", _ago(hours=19))])


def _cdc_changes(b: _DemoBuilder) -> None:
    acc = b.account("acc_cdc_plan_upgrade", roles=["owner", "member"], plan_tier="free", story="cdc_plan_upgrade",
                    integration="stripe", signed_up_at=_ago(days=20))
    b.account_change(acc, _ago(days=10), plan_tier="starter")
    b.account_change(acc, _ago(days=2), plan_tier="pro")
    b.setup(acc, "stripe", acc.user("owner"), [("integration_started", _ago(hours=8))])

    acc = b.account("acc_cdc_role_change", roles=["owner", "member"], story="cdc_role_change",
                    integration="sending_domain", signed_up_at=_ago(days=20))
    member = acc.user("member")
    # Promoted to admin before starting: needs_admin must not fire on the current role.
    b.user_change(member, _ago(days=5), role="admin")
    b.setup(acc, "sending_domain", member, [("integration_started", _ago(hours=20)),
                                             ("domain_verification_started", _ago(hours=19))])

    acc = b.account("acc_cdc_opt_in_again", roles=["owner", "engineer"], opted_out_roles=("engineer",),
                    story="cdc_opt_out_reverted", integration="webhook", signed_up_at=_ago(days=20))
    engineer = acc.user("engineer")
    b.user_change(engineer, _ago(days=3), email_opt_out=False)
    b.setup(acc, "webhook", engineer, [("integration_started", _ago(hours=3))])


def _dirty_rows(b: _DemoBuilder) -> None:
    """SPEC section 7: a handful of each kind, on dedicated accounts so stories stay clean."""
    acc = b.account("acc_dirty_duplicates", roles=["owner", "engineer"], story="dirty_duplicate_event_ids",
                    integration="stripe")
    engineer = acc.user("engineer")
    started = b.event(acc, "integration_started", _ago(hours=28), user=engineer, integration="stripe",
                      props={"setup_surface": "settings_page", "provider": "stripe"})
    b.redeliver(started, timedelta(minutes=30))  # delivered twice
    key = b.event(acc, "api_key_created", _ago(hours=27), user=engineer, integration="stripe",
                  props={"key_scope": "read", "environment": "sandbox"})
    b.redeliver(key, timedelta(hours=2))  # delivered three times
    b.redeliver(key, timedelta(hours=9))
    b.event(acc, "test_event_sent", _ago(hours=26), user=engineer, integration="stripe",
            props={"environment": "sandbox"}, received_at=_ago(hours=26) + timedelta(seconds=20))

    acc = b.account("acc_dirty_null_event_ids", roles=["owner", "marketer"], story="dirty_null_event_ids",
                    integration="hubspot")
    marketer = acc.user("marketer")
    for name, at in [("integration_started", _ago(hours=45)), ("integration_connected", _ago(hours=44))]:
        row = b.event(acc, name, at, user=marketer, integration="hubspot", props={"provider": "hubspot"},
                      event_id=None)
        b.events.append(dict(row))  # exact re-delivery: identical content, no id
    b.event(acc, "setup_docs_viewed", _ago(hours=43), user=marketer, integration="hubspot", props={}, event_id=None)

    acc = b.account("acc_dirty_names", roles=["owner", "engineer"], story="dirty_event_name_variants",
                    integration="salesforce")
    owner = acc.user("owner")
    b.event(acc, "  Integration-Started", _ago(hours=33), user=owner, integration="Salesforce",
            props={"provider": "salesforce", "initiated_by_role": "owner"})
    b.event(acc, "Integration Connected", _ago(hours=32), user=owner, integration=" SALESFORCE ", props={})
    b.event(acc, "sync  completed", _ago(hours=31), user=owner, integration="salesforce", props={})
    acc2 = b.account("acc_dirty_names_api", roles=["owner", "engineer"], story="dirty_event_name_variants_api",
                     integration="custom_api")
    engineer = acc2.user("engineer")
    b.event(acc2, "integration_started", _ago(hours=26), user=engineer, integration="Custom_API", props={})
    b.event(acc2, "API KEY CREATED", _ago(hours=25), user=engineer, integration="custom_api",
            props={"key_scope": "write", "environment": "production"})
    b.event(acc2, "test-event-sent", _ago(hours=24), user=engineer, integration="custom_api", props={})
    b.event(acc2, "integration_started", _ago(hours=22), user=engineer, integration=" HUBSPOT ", props={})

    acc = b.account("acc_dirty_quarantine", roles=["owner", "engineer"], story="dirty_quarantine_material",
                    integration="webhook")
    engineer = acc.user("engineer")
    b.setup(acc, "webhook", engineer, [("integration_started", _ago(hours=36))])
    b.event(None, "integration_connected", _ago(hours=35), user=engineer, integration="webhook", props={})
    b.event(None, "setup_docs_viewed", _ago(hours=34), props={})
    b.event(acc, "api_key_created", None, user=engineer, integration="webhook", props={},
            received_at=_ago(hours=33))
    b.event(acc, "foo_bar", _ago(hours=32), user=engineer, integration="webhook", props={})
    b.event(acc, "Foo Bar", _ago(hours=31), user=engineer, props={})
    b.event(acc, "api_key_created", _ago(hours=30), user=engineer, integration=None, props={"key_scope": "write"})
    b.event(acc, "setup_error_seen", _ago(hours=29), user=engineer, integration=None,
            props={"error_code": "invalid_api_key"})
    # Client clock far ahead: occurred_at more than 1 day after received_at.
    b.event(acc, "test_event_sent", _ago(hours=-40), user=engineer, integration="webhook", props={},
            received_at=_ago(hours=28))
    # Client clock at the epoch: before min_occurred_at, it would open a 1970 cohort.
    b.event(acc, "integration_started", datetime(1970, 1, 1), user=engineer, integration="webhook", props={},
            received_at=_ago(hours=27))

    acc = b.account("acc_dirty_properties", roles=["owner", "engineer"], story="dirty_properties_json",
                    integration="stripe")
    engineer = acc.user("engineer")
    b.event(acc, "integration_started", _ago(hours=27), user=engineer, integration="stripe",
            raw_properties="{error_code: oops")
    b.event(acc, "api_key_created", _ago(hours=26), user=engineer, integration="stripe", raw_properties="not json")
    b.event(acc, "setup_error_seen", _ago(hours=25), user=engineer, integration="stripe", props=None)
    b.event(acc, "integration_status_viewed", _ago(hours=24), user=engineer, integration="stripe", props=None)

    acc = b.account("acc_dirty_late_arrival", roles=["owner", "engineer"], story="dirty_late_arrival",
                    integration="custom_api")
    engineer = acc.user("engineer")
    b.event(acc, "integration_started", _ago(hours=70), user=engineer, integration="custom_api", props={})
    # Occurred three days ago, received only an hour ago: picked up by the next incremental run.
    b.event(acc, "api_key_created", _ago(hours=69), user=engineer, integration="custom_api",
            props={"key_scope": "write"}, received_at=_ago(hours=1))


SCENARIOS: list[Callable[[_DemoBuilder], None]] = [
    _started_no_credentials, _credentials_no_connection, _connected_no_data, _domain_verification_pending,
    _repeated_errors, _auth_scope_denied, _bad_event_shape, _delivery_failing, _reconnect_loop,
    _high_intent_stalled, _needs_admin, _abandoned,
    _setup_success_handoff, _repeated_failure_troubleshooting, _admin_escalation, _setup_started_confirmation,
    _stalled_setup_help_1, _stalled_setup_help_2, _stalled_setup_help_3, _internal_cs_alert_repeated,
    _internal_cs_alert_abandoned,
    _guardrail_exit, _guardrail_in_session, _guardrail_frequency_cap, _guardrail_priority_within_run,
    _guardrail_consent, _guardrail_superseded, _guardrail_already_sent_history,
    _not_started, _error_recovery, _restart, _completion_only, _events_after_as_of, _unknown_integration,
    _missing_account, _cdc_changes, _dirty_rows,
]


def _background(b: _DemoBuilder, accounts: int = 250) -> None:
    """Ordinary accounts around the stories: realistic funnels, not tied to any one rule."""
    rng = b.rng
    for number in range(1, accounts + 1):
        n_users = rng.choices([1, 2, 3, 4], weights=[25, 35, 25, 15])[0]
        roles = ["owner"] + rng.choices([role for role in ROLES if role != "owner"], k=n_users - 1)
        signed_up_at = _ago(days=rng.uniform(0.5, 70)).replace(microsecond=0)
        acc = b.account(f"acc_{number:04d}", roles=roles, signed_up_at=signed_up_at,
                        opted_out_roles=("member",) if rng.random() < 0.3 else ())
        if rng.random() < 0.06:
            b.account_change(acc, signed_up_at + timedelta(days=rng.uniform(1, 10)),
                             plan_tier=rng.choice(["pro", "enterprise"]))
        if rng.random() < 0.2:
            continue  # never started a setup
        for integration in rng.sample(list(CATALOG), k=rng.choices([1, 2, 3], weights=[60, 30, 10])[0]):
            user = rng.choice(acc.users)
            at = signed_up_at + timedelta(hours=rng.uniform(0.2, 72))
            if at >= _AS_OF:
                continue
            steps = PATH_STEPS[CATALOG[integration]]
            path_events = [("integration_started", at)]
            for step in steps[1:]:
                if rng.random() < 0.25:
                    if rng.random() < 0.5:
                        b.error(acc, integration, user, at + timedelta(minutes=rng.uniform(5, 120)),
                                rng.choice(PATH_ERROR_CODES[CATALOG[integration]]))
                    break
                at = at + timedelta(minutes=rng.lognormvariate(4, 1.3))
                if at >= _AS_OF:
                    break
                path_events.append((step, at))
            b.setup(acc, integration, user, path_events, surface=rng.choice(SETUP_SURFACES))
            if rng.random() < 0.2:
                b.event(acc, rng.choice(["setup_docs_viewed", "pricing_viewed"]),
                        path_events[-1][1] + timedelta(minutes=rng.uniform(1, 60)), user=user,
                        integration=integration if rng.random() < 0.6 else None, props={})
            if len(path_events) == len(steps) and rng.random() < 0.6:
                b.event(acc, "workflow_launched", at + timedelta(hours=rng.uniform(1, 48)), user=user, props={})
            if rng.random() < 0.1 and b.events[-1]["occurred_at"] is not None:
                b.redeliver(b.events[-1], timedelta(minutes=rng.uniform(1, 600)))
    # Never let background events leak past as_of (only the dedicated story does that).
    for row in b.events:
        if row["account_id"] and row["account_id"].startswith("acc_0") and row["occurred_at"] is not None \
                and row["occurred_at"] > _AS_OF:
            row["occurred_at"] = _AS_OF - timedelta(hours=2)
            row["received_at"] = row["occurred_at"] + timedelta(seconds=30)


def build_demo() -> _DemoBuilder:
    """All demo rows, in a fixed order (no wall clock, fixed seed)."""
    builder = _DemoBuilder()
    for scenario in SCENARIOS:
        scenario(builder)
    _background(builder)
    # A holdout experiment on dedicated accounts (own random stream: the rows above do not move).
    message_sends.add_demo_impact_accounts(builder, _AS_OF)
    return builder


_DEMO = build_demo()
#: demo account_id -> the segment, journey step, guardrail or edge case it demonstrates.
DEMO_STORIES: dict[str, str] = dict(_DEMO.stories)
#: demo account_id -> the integration_type of the setup that demonstrates its story (None: account level).
DEMO_STORY_INTEGRATIONS: dict[str, str | None] = dict(_DEMO.story_integrations)


def write_demo(path: Path) -> dict[str, int]:
    """Replace the raw tables in the DuckDB file at `path` with the demo dataset; return row counts."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = build_demo().frames()
    con = duckdb.connect(str(path))
    try:
        create_raw_schema(con, replace=True)
        for table, frame in frames.items():
            insert_frame(con, table, frame)
        return row_counts(con)
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# Synthetic data at scale (vectorised with numpy, written in chunks of accounts)
# --------------------------------------------------------------------------------------------

#: Average raw events per account with the default config (measured; used by accounts_for_events).
EVENTS_PER_ACCOUNT = 31.5  # 29.0 before the treatment effects of message_sends.py (more setups complete)

_NAMES = [
    "integration_started", "api_key_created", "domain_verification_started", "domain_verified",
    "integration_connected", "test_event_sent", "first_api_call_success", "sync_completed", "sending_enabled",
    "setup_error_seen", "auth_failed", "sync_failed", "dns_check_failed", "integration_reconnect_attempted",
    "integration_status_viewed", "integration_setup_completed", "setup_docs_viewed", "pricing_viewed",
    "support_ticket_opened", "workflow_launched",
]
_N = {name: code for code, name in enumerate(_NAMES)}
_ITYPES = [*CATALOG, "zendesk"]  # zendesk: not in the catalog, behaves like an api setup
_ITYPE_WEIGHTS = np.array([0.14, 0.16, 0.16, 0.14, 0.13, 0.12, 0.13, 0.02])
_PATHS = list(PATH_STEPS)  # oauth, api, domain: the seed's order
_ITYPE_PATH = np.array([_PATHS.index(CATALOG.get(itype, "api")) for itype in _ITYPES])
_PATH_LEN = np.array([len(PATH_STEPS[path]) for path in _PATHS])
_PATH_STEP_CODES = np.array([[_N[step] for step in PATH_STEPS[path]] + [-1] * (4 - len(PATH_STEPS[path]))
                             for path in _PATHS])
# Drop-off before each step, and median minutes from the previous step, per path (rows) and step (cols).
_DROP = np.array([[0, 0.20, 0.25, 0], [0, 0.25, 0.25, 0.15], [0, 0.15, 0.30, 0.15]])
_DELAY_MEDIAN_MIN = np.array([[0, 5, 120, 0], [0, 20, 180, 360], [0, 10, 1200, 240]])
_ERROR_CODES = [
    "auth_failed", "oauth_denied", "oauth_scope_missing", "invalid_api_key", "schema_mismatch",
    "missing_required_property", "destination_unreachable", "delivery_rejected", "dns_check_failed",
    "dns_record_missing", "sync_failed", "no_events_received", "rate_limited", "weird_timeout",
]
_PATH_ERRORS = [np.array([_ERROR_CODES.index(code) for code in PATH_ERROR_CODES[path]]) for path in _PATHS]
_SELF_CODED = {_ERROR_CODES.index(code): _N[code] for code in SELF_CODED_ERRORS}
_STATUSES = ["connected", "pending", "error"]
_ENVIRONMENTS = ["sandbox", "production"]
_DAY = 86_400


@dataclass
class GeneratorConfig:
    """Synthetic data knobs (the CLI's `generate` options, plus a few for benchmarks)."""

    accounts: int = 1000
    days: int = 90
    end: str = "2026-03-10"
    seed: int = 42
    duplicate_rate: float = 0.02
    late_rate: float = 0.01
    dirty_rate: float = 0.002
    # Accounts simulated (and inserted) per chunk: bounds memory. Part of the seed: keep it fixed.
    chunk_accounts: int = 50_000
    # First account number (so appended runs add new accounts instead of repeating ids).
    account_offset: int = 0
    # Only rows received (events), updated (accounts/users) or sent (messages) in
    # (received_after, received_until] are written. Defaults: everything up to the end of `end`.
    received_after: str | None = None
    received_until: str | None = None
    # Accounts sign up in [signup_from, signup_until); default: the `days` ending with `end`.
    signup_from: str | None = None
    signup_until: str | None = None
    # Random stream, so accounts added later do not reuse the base accounts' random numbers.
    stream: int = 0
    show_progress: bool = True


def _seconds(value: str) -> int:
    return int(pd.Timestamp(value).timestamp())


def data_end(config: GeneratorConfig) -> int:
    """Epoch seconds of the last second covered by the data: `end` at 23:59:59."""
    return _seconds(config.end) + _DAY - 1


def as_of_for(config: GeneratorConfig, extra_days: int = 0) -> str:
    """The as_of a build of this data should use (`extra_days` after the end of the data)."""
    return str(pd.Timestamp(data_end(config) + extra_days * _DAY, unit="s"))


def accounts_for_events(n_events: int) -> int:
    """Accounts that yield about n_events raw events with the default config."""
    return max(1, int(round(n_events / EVENTS_PER_ACCOUNT)))


class _Events:
    """Columns of event blocks, concatenated once per chunk."""

    COLUMNS = ("acct", "user", "name", "t", "itype", "err", "env", "surface", "status", "role")

    def __init__(self) -> None:
        self.blocks: list[dict[str, np.ndarray]] = []

    def add(self, acct: np.ndarray, name: np.ndarray | int, t: np.ndarray, *, user: np.ndarray | int = -1,
            itype: np.ndarray | int = -1, err: np.ndarray | int = -1, env: np.ndarray | int = 0,
            surface: np.ndarray | int = 0, status: np.ndarray | int = 0, role: np.ndarray | int = -1) -> None:
        n = len(acct)
        if n == 0:
            return
        values = dict(acct=acct, user=user, name=name, t=t, itype=itype, err=err, env=env, surface=surface,
                      status=status, role=role)
        self.blocks.append({key: np.broadcast_to(np.asarray(value), (n,)) for key, value in values.items()})

    def concat(self) -> dict[str, np.ndarray]:
        return {key: np.concatenate([block[key] for block in self.blocks]) for key in self.COLUMNS}


def _simulate_chunk(rng: np.random.Generator, n_acc: int, signup_lo: int, signup_hi: int,
                    horizon: int, first: int = 0) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray],
                                           dict[str, np.ndarray]]:
    """One chunk of accounts: the full timeline (times in epoch seconds), before windowing and dirt."""
    # Accounts.
    signup = rng.integers(signup_lo, signup_hi, n_acc)
    plan = rng.choice(4, n_acc, p=[0.45, 0.30, 0.18, 0.07])
    source = rng.choice(len(ACQUISITION_SOURCES), n_acc)
    upgraded = rng.random(n_acc) < 0.08
    accounts = dict(
        acct=np.concatenate([np.arange(n_acc), np.flatnonzero(upgraded)]),
        plan=np.concatenate([plan, np.minimum(plan[upgraded] + 1, 3)]),
        source=np.concatenate([source, source[upgraded]]),
        signup=np.concatenate([signup, signup[upgraded]]),
        updated=np.concatenate([signup, signup[upgraded] + rng.integers(_DAY, 30 * _DAY, upgraded.sum())]),
    )
    # Users: 1-6 per account, the first is the owner.
    n_users = rng.choice(np.arange(1, 7), n_acc, p=[0.30, 0.25, 0.20, 0.12, 0.08, 0.05])
    user_start = np.concatenate([[0], np.cumsum(n_users)[:-1]])
    u_acct = np.repeat(np.arange(n_acc), n_users)
    u_k = np.arange(len(u_acct)) - np.repeat(user_start, n_users)
    u_role = np.where(u_k == 0, 0, rng.choice([1, 2, 3, 4], len(u_acct), p=[0.2, 0.3, 0.2, 0.3]))
    u_opt = rng.random(len(u_acct)) < 0.08
    u_created = signup[u_acct] + np.where(u_k == 0, 0, rng.integers(0, 5 * _DAY, len(u_acct)))
    change = rng.random(len(u_acct))
    role_change, opt_change = change < 0.05, (change >= 0.05) & (change < 0.08)
    changed = role_change | opt_change
    users = dict(
        acct=np.concatenate([u_acct, u_acct[changed]]),
        k=np.concatenate([u_k, u_k[changed]]),
        role=np.concatenate([u_role, np.where(role_change[changed], 1, u_role[changed])]),
        opt=np.concatenate([u_opt, np.where(opt_change[changed], ~u_opt[changed], u_opt[changed])]),
        created=np.concatenate([u_created, u_created[changed]]),
        updated=np.concatenate([u_created, u_created[changed] + rng.integers(_DAY, 30 * _DAY, changed.sum())]),
    )

    # Setups: 0-3 distinct integration types per account (Gumbel top-k on weights).
    n_setups = rng.choice(4, n_acc, p=[0.18, 0.40, 0.29, 0.13])
    keys = np.log(_ITYPE_WEIGHTS) + rng.gumbel(size=(n_acc, len(_ITYPES)))
    order = np.argsort(-keys, axis=1)
    take = np.arange(3)[None, :] < n_setups[:, None]
    s_acct = np.repeat(np.arange(n_acc), n_setups)
    s_rank = np.broadcast_to(np.arange(3), (n_acc, 3))[take]
    s_itype = order[:, :3][take]
    s_path = _ITYPE_PATH[s_itype]
    n_s = len(s_acct)
    s_user = (rng.random(n_s) * n_users[s_acct]).astype(np.int64)
    s_role = u_role[user_start[s_acct] + s_user]
    first_delay = rng.lognormal(np.log(3 * 3600), 1.5, n_s)
    later_delay = rng.lognormal(np.log(2 * _DAY), 1.2, n_s)
    start = signup[s_acct] + np.where(s_rank == 0, first_delay, later_delay).astype(np.int64) + 60
    surface = rng.integers(1, 4, n_s)
    env = rng.integers(1, 3, n_s)
    steps = _PATH_LEN[s_path]

    reached = np.zeros((n_s, 4), dtype=bool)
    times = np.zeros((n_s, 4), dtype=np.int64)
    reached[:, 0], times[:, 0] = True, start
    # Holdout accounts (stable hash bucket) get no messages; reminders help the treatment at some steps.
    holdout = message_sends.synthetic_holdout(np.arange(n_acc) + first)
    for k in range(1, 4):
        drop = _DROP[s_path, k] * message_sends.treated_drop_factor(_PATHS, s_path, k, holdout[s_acct])
        go = reached[:, k - 1] & (k < steps) & (rng.random(n_s) >= drop)
        delay = rng.lognormal(np.log(np.maximum(_DELAY_MEDIAN_MIN[s_path, k], 1) * 60.0), 1.2)
        times[:, k] = times[:, k - 1] + delay.astype(np.int64) + 1
        reached[:, k] = go
    highest = reached.sum(axis=1) - 1
    t_last = times[np.arange(n_s), highest]
    completed = highest == steps - 1

    ev = _Events()
    acct_of = s_acct
    # Milestones (a few not emitted: completion can arrive without the earlier step events).
    for k in range(4):
        emit = reached[:, k] & (rng.random(n_s) >= 0.03)
        idx = np.flatnonzero(emit)
        ev.add(acct_of[idx], _PATH_STEP_CODES[s_path[idx], k], times[idx, k], user=s_user[idx],
               itype=s_itype[idx], env=env[idx], surface=surface[idx], role=np.where(k == 0, s_role[idx], -1))
    # Restarts: integration_started again.
    idx = np.flatnonzero(rng.random(n_s) < 0.05)
    ev.add(acct_of[idx], _N["integration_started"], start[idx] + rng.integers(3600, 10 * _DAY, len(idx)),
           user=s_user[idx], itype=s_itype[idx], surface=surface[idx], role=s_role[idx])
    # Errors: bursts of 1-3 with the same code, before a step or after the last one reached.
    for k in range(1, 4):
        has = reached[:, k - 1] & (k < steps) & (rng.random(n_s) < np.where(reached[:, k], 0.12, 0.35))
        idx = np.flatnonzero(has)
        if len(idx) == 0:
            continue
        count = 1 + rng.binomial(2, 0.4, len(idx))
        code = np.empty(len(idx), dtype=np.int64)
        for path in range(3):
            on_path = s_path[idx] == path
            code[on_path] = rng.choice(_PATH_ERRORS[path], on_path.sum())
        lo = times[idx, k - 1]
        span = np.where(reached[idx, k], times[idx, k] - lo, 2 * _DAY)
        rep = np.repeat(np.arange(len(idx)), count)
        t_err = lo[rep] + (rng.random(len(rep)) * np.maximum(span[rep], 2)).astype(np.int64) + 1
        e_code = code[rep]
        name = np.full(len(rep), _N["setup_error_seen"])
        for code_index, name_code in _SELF_CODED.items():
            self_named = (e_code == code_index) & (rng.random(len(rep)) < 0.6)
            name[self_named] = name_code
        omit = (name != _N["setup_error_seen"]) & (rng.random(len(rep)) < 0.5)
        ev.add(acct_of[idx][rep], name, t_err, user=s_user[idx][rep], itype=s_itype[idx][rep],
               err=np.where(omit, -1, e_code), env=env[idx][rep])
        # Reconnect attempts after oauth errors; support tickets sometimes.
        recon = (s_path[idx][rep] == 0) & (rng.random(len(rep)) < 0.5)
        r = np.flatnonzero(recon)
        ev.add(acct_of[idx][rep][r], _N["integration_reconnect_attempted"],
               t_err[r] + rng.integers(60, 12 * 3600, len(r)), user=s_user[idx][rep][r],
               itype=s_itype[idx][rep][r], surface=2)
        tick = np.flatnonzero(rng.random(len(idx)) < 0.05)
        ev.add(acct_of[idx][tick], _N["support_ticket_opened"], lo[tick] + 3600, user=s_user[idx][tick],
               itype=s_itype[idx][tick])
    # Docs and pricing views (with or without integration_type) and status views during setup.
    n_views = rng.poisson(0.7, n_s)
    rep = np.repeat(np.arange(n_s), n_views)
    ev.add(acct_of[rep], np.where(rng.random(len(rep)) < 0.7, _N["setup_docs_viewed"], _N["pricing_viewed"]),
           start[rep] + rng.integers(0, 3 * _DAY, len(rep)), user=s_user[rep],
           itype=np.where(rng.random(len(rep)) < 0.6, s_itype[rep], -1), surface=surface[rep])
    n_status = rng.poisson(1.2, n_s)
    rep = np.repeat(np.arange(n_s), n_status)
    t_status = start[rep] + rng.integers(0, 5 * _DAY, len(rep))
    status = np.where(completed[rep] & (t_status >= t_last[rep]), 1, rng.choice([2, 3], len(rep), p=[0.7, 0.3]))
    ev.add(acct_of[rep], _N["integration_status_viewed"], t_status, user=s_user[rep], itype=s_itype[rep],
           status=status)
    # The UI's last screen: mostly after completion, sometimes without it.
    ui_done = np.flatnonzero((completed & (rng.random(n_s) < 0.8)) | (~completed & (highest >= 1)
                                                                       & (rng.random(n_s) < 0.15)))
    ev.add(acct_of[ui_done], _N["integration_setup_completed"], t_last[ui_done] + 30, user=s_user[ui_done],
           itype=s_itype[ui_done], surface=surface[ui_done])
    # After completion: first workflow, then ongoing activity (recurring syncs, workflows, status views).
    done = np.flatnonzero(completed)
    first_wf = done[rng.random(len(done)) < 0.7]
    ev.add(acct_of[first_wf], _N["workflow_launched"],
           t_last[first_wf] + rng.lognormal(np.log(_DAY), 1.0, len(first_wf)).astype(np.int64),
           user=s_user[first_wf])
    # Activity concentrates in the days after completion (a burst decaying with a 3-day mean),
    # then a slow steady trickle: on a given day most accounts are quiet, as in real telemetry.
    n_burst = rng.poisson(rng.gamma(2.0, 14.0, len(done)))
    rep_burst = done[np.repeat(np.arange(len(done)), n_burst)]
    t_burst = t_last[rep_burst] + rng.exponential(3 * _DAY, len(rep_burst)).astype(np.int64)
    n_steady = rng.poisson(0.03 * np.maximum(horizon - t_last[done], 0) / _DAY)
    rep_steady = done[np.repeat(np.arange(len(done)), n_steady)]
    t_steady = t_last[rep_steady] + (rng.random(len(rep_steady)) * (horizon - t_last[rep_steady])).astype(np.int64)
    rep, t_after = np.concatenate([rep_burst, rep_steady]), np.concatenate([t_burst, t_steady])
    inside = t_after <= horizon
    rep, t_after = rep[inside], t_after[inside]
    kind = rng.random(len(rep))
    is_oauth = s_path[rep] == 0
    name = np.where(is_oauth & (kind < 0.5), _N["sync_completed"],
                    np.where(kind < 0.8, _N["workflow_launched"], _N["integration_status_viewed"]))
    ev.add(acct_of[rep], name, t_after,
           user=np.where(name == _N["sync_completed"], -1, s_user[rep]),
           itype=np.where(name == _N["workflow_launched"], -1, s_itype[rep]),
           status=np.where(name == _N["integration_status_viewed"], 1, 0))
    events = ev.concat()

    # Messages the messaging tool sent back: confirmations, handoffs, reminders.
    conf = np.flatnonzero(rng.random(n_s) < 0.5)
    hand = done[rng.random(len(done)) < 0.8]
    stall = np.flatnonzero(~completed & (rng.random(n_s) < 0.3))
    sends = dict(
        acct=np.concatenate([acct_of[conf], acct_of[hand], acct_of[stall]]),
        user=np.concatenate([s_user[conf], s_user[hand], s_user[stall]]),
        itype=np.concatenate([s_itype[conf], s_itype[hand], s_itype[stall]]),
        step=np.concatenate([np.full(len(conf), 3), np.zeros(len(hand), dtype=np.int64), np.full(len(stall), 4)]),
        reminder=np.concatenate([np.full(len(conf), -1), np.full(len(hand), -1), np.ones(len(stall), dtype=np.int64)]),
        t=np.concatenate([start[conf] + 2700, t_last[hand] + 3600, t_last[stall] + 3 * 3600]),
    )
    kept = message_sends.keep_sends(sends["acct"], holdout)
    sends = {key: value[kept] for key, value in sends.items()}
    return accounts, users, events, sends


_JOURNEY = list(_VOCABULARY.step_names)  # in priority order


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + value + "'" for value in values) + "]"


def _ts(seconds: np.ndarray) -> "pa.Array":
    import pyarrow as pa

    return pa.array(seconds.astype("datetime64[s]").astype("datetime64[us]"), type=pa.timestamp("us"))


def _add_delivery(rng: np.random.Generator, events: dict[str, np.ndarray], config: GeneratorConfig,
                  chunk_no: int) -> dict[str, np.ndarray]:
    """received_at, duplicates (re-deliveries), late arrivals and dirty rows."""
    n = len(events["t"])
    occurred = events["t"]
    received = occurred + 1 + rng.exponential(40, n).astype(np.int64)
    late = rng.random(n) < config.late_rate
    received[late] = occurred[late] + rng.integers(2 * 3600, 4 * _DAY, late.sum())
    dirty = np.where(rng.random(n) < config.dirty_rate, rng.integers(1, 11, n), 0)
    # Kind 8: client clock ahead: occurred_at more than a day after received_at.
    skew = dirty == 8
    received[skew] = occurred[skew] - rng.integers(_DAY + 3 * 3600, 3 * _DAY, skew.sum())
    pos = np.arange(n, dtype=np.int64)
    dup = np.flatnonzero(rng.random(n) < config.duplicate_rate)
    # Some re-delivered twice more (three copies in all).
    dup = np.concatenate([dup, dup[rng.random(len(dup)) < 0.1]])
    shift = rng.lognormal(np.log(600), 1.5, len(dup)).astype(np.int64) + 1
    shift[dirty[dup] == 9] = 0  # exact re-deliveries of rows without event_id
    out = {key: np.concatenate([value, value[dup]]) for key, value in events.items()}
    out["received"] = np.concatenate([received, received[dup] + shift])
    out["dirty"] = np.concatenate([dirty, dirty[dup]])
    out["pos"] = np.concatenate([pos, pos[dup]])
    out["chunk"] = np.full(len(out["pos"]), chunk_no, dtype=np.int64)
    return out


def _window(mask_on: np.ndarray, lo: int | None, hi: int) -> np.ndarray:
    keep = mask_on <= hi
    if lo is not None:
        keep &= mask_on > lo
    return keep


_EVENTS_SQL = f"""
insert into raw.setup_events
with coded as (
    select
        *,
        'a' || lpad(acct::varchar, 9, '0') as account_key,
        {_sql_list(_NAMES)}[name + 1] as clean_name,
        case when itype >= 0 then {_sql_list(_ITYPES)}[itype + 1] end as clean_itype
    from _chunk_events
)
select
    case when dirty = 9 then null else 'ev' || chunk || '-' || pos end as event_id,
    case
        when dirty = 3 then case when pos % 2 = 0 then 'foo_bar' else 'Unknown Event' end
        when dirty = 5 then case pos % 3
            when 0 then upper(replace(clean_name, '_', ' '))
            when 1 then '  ' || replace(clean_name, '_', '-')
            else replace(clean_name, '_', '  ') end
        else clean_name
    end as event_name,
    case when dirty = 2 then null else t end as occurred_at,
    received as received_at,
    case when dirty = 1 then null else account_key end as account_id,
    case when "user" >= 0 then account_key || '_u' || "user" end as user_id,
    case
        when dirty = 7 then null
        when dirty = 6 and clean_itype is not null then ' ' || upper(clean_itype) || ' '
        else clean_itype
    end as integration_type,
    case
        when dirty = 4 then case when pos % 2 = 0 then '{{error_code: oops' else 'not json' end
        when dirty = 10 then null
        else '{{' || concat_ws(', ',
            case when err >= 0 then '"error_code": "' || {_sql_list(_ERROR_CODES)}[err + 1] || '"' end,
            case when env > 0 then '"environment": "' || {_sql_list(_ENVIRONMENTS)}[env] || '"' end,
            case when clean_name = 'api_key_created' then '"key_scope": "' || case when pos % 4 = 0
                then 'read' else 'write' end || '"' end,
            case when surface > 0 then '"setup_surface": "' || {_sql_list(SETUP_SURFACES)}[surface] || '"' end,
            case when status > 0 then '"status": "' || {_sql_list(_STATUSES)}[status] || '"' end,
            case when clean_name = 'integration_started' then '"provider": "' || clean_itype || '"' end,
            case when role >= 0 then '"initiated_by_role": "' || {_sql_list(ROLES)}[role + 1] || '"' end,
            case when clean_name in ('domain_verification_started', 'domain_verified') then
                '"domain": "mail.' || account_key || '.example.com", "verification_method": "'
                || case when pos % 3 = 0 then 'cname' else 'dns_txt' end || '"' end
        ) || '}}'
    end as properties
from coded
"""

_ACCOUNTS_SQL = f"""
insert into raw.accounts
select
    'a' || lpad(acct::varchar, 9, '0'),
    'Account ' || acct,
    {_sql_list(PLAN_TIERS)}[plan + 1],
    signup,
    {_sql_list(ACQUISITION_SOURCES)}[source + 1],
    updated
from _chunk_accounts
"""

_USERS_SQL = f"""
insert into raw.users
select
    'a' || lpad(acct::varchar, 9, '0') || '_u' || k,
    'a' || lpad(acct::varchar, 9, '0'),
    {_sql_list(ROLES)}[role + 1] || k || '@a' || acct || '.example.com',
    {_sql_list(ROLES)}[role + 1],
    opt,
    created,
    updated
from _chunk_users
"""

_SENDS_SQL = f"""
insert into raw.message_sends
select
    'msg' || chunk || '-' || row_number() over (order by acct, t, step, itype),
    'syn-' || chunk || '-' || acct || '-' || itype || '-' || step || '-' || t,
    'a' || lpad(acct::varchar, 9, '0'),
    {_sql_list(_ITYPES)}[itype + 1],
    'a' || lpad(acct::varchar, 9, '0') || '_u' || "user",
    {_sql_list(_JOURNEY)}[step + 1],
    case when reminder > 0 then reminder end,
    t
from _chunk_sends
"""


def _write_chunk(con: duckdb.DuckDBPyConnection, config: GeneratorConfig, chunk_no: int, first: int,
                 n_acc: int, signup_lo: int, signup_hi: int, lo: int | None, hi: int) -> None:
    import pyarrow as pa

    rng = np.random.default_rng([config.seed, config.stream, chunk_no])
    # The simulated timeline must not depend on the window, so the same seed gives the same
    # events whichever window is written (base load, next day).
    horizon = data_end(config) + 30 * _DAY
    accounts, users, events, sends = _simulate_chunk(rng, n_acc, signup_lo, signup_hi, horizon, first)
    events = _add_delivery(rng, events, config, chunk_no)

    keep = _window(events["received"], lo, hi)
    table = pa.table({
        **{key: events[key][keep] for key in ("user", "name", "itype", "err", "env", "surface", "status", "role",
                                               "dirty", "pos", "chunk")},
        "acct": events["acct"][keep] + first,
        "t": _ts(events["t"][keep]),
        "received": _ts(events["received"][keep]),
    })
    con.register("_chunk_events", table)
    con.execute(_EVENTS_SQL)
    con.unregister("_chunk_events")

    keep = _window(accounts["updated"], lo, hi)
    con.register("_chunk_accounts", pa.table({
        "acct": accounts["acct"][keep] + first, "plan": accounts["plan"][keep], "source": accounts["source"][keep],
        "signup": _ts(accounts["signup"][keep]), "updated": _ts(accounts["updated"][keep])}))
    con.execute(_ACCOUNTS_SQL)
    con.unregister("_chunk_accounts")

    keep = _window(users["updated"], lo, hi)
    con.register("_chunk_users", pa.table({
        "acct": users["acct"][keep] + first, "k": users["k"][keep], "role": users["role"][keep],
        "opt": users["opt"][keep], "created": _ts(users["created"][keep]), "updated": _ts(users["updated"][keep])}))
    con.execute(_USERS_SQL)
    con.unregister("_chunk_users")

    keep = _window(sends["t"], lo, hi)
    con.register("_chunk_sends", pa.table({
        "acct": sends["acct"][keep] + first, "user": sends["user"][keep], "itype": sends["itype"][keep],
        "step": sends["step"][keep], "reminder": sends["reminder"][keep], "t": _ts(sends["t"][keep]),
        "chunk": np.full(keep.sum(), chunk_no, dtype=np.int64) + config.stream * 1_000_000}))
    con.execute(_SENDS_SQL)
    con.unregister("_chunk_sends")


def _generate(con: duckdb.DuckDBPyConnection, config: GeneratorConfig) -> None:
    hi = _seconds(config.received_until) if config.received_until else data_end(config)
    lo = _seconds(config.received_after) if config.received_after else None
    signup_lo = _seconds(config.signup_from) if config.signup_from else data_end(config) + 1 - config.days * _DAY
    signup_hi = _seconds(config.signup_until) if config.signup_until else data_end(config) + 1
    size = config.chunk_accounts
    chunks = [(start, min(size, config.accounts - start)) for start in range(0, config.accounts, size)]
    from rich.progress import Progress

    with Progress(disable=not config.show_progress, transient=True) as progress:
        task = progress.add_task("Generating accounts", total=config.accounts)
        for chunk_no, (start, n_acc) in enumerate(chunks):
            _write_chunk(con, config, chunk_no, config.account_offset + start, n_acc, signup_lo, signup_hi, lo, hi)
            progress.advance(task, n_acc)


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    # Row order of raw tables carries no meaning; let inserts stream.
    con.execute("set preserve_insertion_order = false")
    con.execute("set enable_progress_bar = false")
    return con


def _next_account_offset(con: duckdb.DuckDBPyConnection) -> int:
    """One past the highest synthetic account number already present (0 when none)."""
    row = con.execute(
        r"select max(try_cast(substr(account_id, 2) as bigint)) from raw.accounts "
        r"where regexp_full_match(account_id, 'a\d{9}')"
    ).fetchall()[0]
    return 0 if row[0] is None else int(row[0]) + 1


def write_synthetic(path: Path, config: GeneratorConfig, append: bool = False) -> dict[str, int]:
    """Generate synthetic raw data into the DuckDB file; `append` adds new accounts to existing tables.

    Returns the rows written per table by this call.
    """
    con = _connect(path)
    try:
        create_raw_schema(con, replace=not append)
        before = row_counts(con)
        if append and config.account_offset == 0:
            config = GeneratorConfig(**{**config.__dict__, "account_offset": _next_account_offset(con)})
        _generate(con, config)
        after = row_counts(con)
        return {table: after[table] - before[table] for table in after}
    finally:
        con.close()


def write_next_day(path: Path, config: GeneratorConfig, day: int = 1) -> dict[str, int]:
    """Append the `day`-th day after the data's end, for the accounts `config` generated.

    Same seed, same timelines: events of existing accounts received during that day (new
    activity, re-deliveries, late arrivals of older events), plus accounts that signed up that
    day (about accounts/days of them). Returns the rows appended per table.
    """
    lo = data_end(config) + (day - 1) * _DAY
    hi = lo + _DAY
    stamp = lambda seconds: str(pd.Timestamp(seconds, unit="s"))  # noqa: E731
    existing = GeneratorConfig(**{**config.__dict__, "received_after": stamp(lo), "received_until": stamp(hi)})
    newcomers = GeneratorConfig(**{
        **existing.__dict__,
        "accounts": max(1, config.accounts // config.days),
        "account_offset": config.account_offset + config.accounts + (day - 1) * max(1, config.accounts // config.days),
        "signup_from": stamp(lo + 1),
        "signup_until": stamp(hi + 1),
        "stream": config.stream + day,
    })
    con = _connect(path)
    try:
        create_raw_schema(con, replace=False)
        before = row_counts(con)
        _generate(con, existing)
        # Never reuse ids of accounts appended by other calls.
        offset = max(newcomers.account_offset, _next_account_offset(con))
        _generate(con, GeneratorConfig(**{**newcomers.__dict__, "account_offset": offset}))
        after = row_counts(con)
        return {table: after[table] - before[table] for table in after}
    finally:
        con.close()
