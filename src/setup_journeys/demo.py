"""The demo dataset: a few hundred accounts anchored at `DEMO_AS_OF`, told as stories.

Each rule of SPEC sections 5-7 has at least one account built by a small scenario function below, so a
reader can see which account demonstrates which rule: `demo_stories()` maps account_id -> story name,
where the story name is a friction segment, a journey step (stalled help as
`stalled_setup_help_reminder_<n>`), a guardrail (`guardrail_<name>`), a dirty-row kind (`dirty_<kind>`)
or another edge case. Every threshold is cleared by a margin of a few hours, so stories do not depend on
edges. Around the stories, `_background` adds ordinary accounts with realistic funnels.

Nothing is built at import: `build_demo()` builds the rows when asked (fixed seed, no wall clock), and
`write_demo()` loads them into the raw schema. Names (integration catalog, paths, roles, plan tiers)
come from the seeds through `setup_journeys.vocabulary`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from setup_journeys import DEMO_AS_OF
from setup_journeys import message_sends
from setup_journeys.event_values import ACQUISITION_SOURCES, PATH_ERROR_CODES, SETUP_SURFACES
from setup_journeys.raw_schema import RAW_TABLES, create_raw_schema, insert_frame, row_counts
from setup_journeys.vocabulary import load as load_vocabulary

DEMO_SEED = 20260310
_AS_OF = datetime.fromisoformat(DEMO_AS_OF)
# Share of each plan tier among accounts whose story does not fix one, in the plan_tiers seed's order.
_PLAN_TIER_WEIGHTS = (40, 30, 20, 10)


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
        plan_tier = plan_tier or rng.choices(load_vocabulary().plan_tiers, weights=_PLAN_TIER_WEIGHTS)[0]
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
    vocabulary = load_vocabulary()
    catalog, path_steps = vocabulary.integration_paths, vocabulary.path_steps
    for number in range(1, accounts + 1):
        n_users = rng.choices([1, 2, 3, 4], weights=[25, 35, 25, 15])[0]
        roles = ["owner"] + rng.choices([role for role in vocabulary.user_roles if role != "owner"], k=n_users - 1)
        signed_up_at = _ago(days=rng.uniform(0.5, 70)).replace(microsecond=0)
        acc = b.account(f"acc_{number:04d}", roles=roles, signed_up_at=signed_up_at,
                        opted_out_roles=("member",) if rng.random() < 0.3 else ())
        if rng.random() < 0.06:
            b.account_change(acc, signed_up_at + timedelta(days=rng.uniform(1, 10)),
                             plan_tier=rng.choice(["pro", "enterprise"]))
        if rng.random() < 0.2:
            continue  # never started a setup
        for integration in rng.sample(list(catalog), k=rng.choices([1, 2, 3], weights=[60, 30, 10])[0]):
            user = rng.choice(acc.users)
            at = signed_up_at + timedelta(hours=rng.uniform(0.2, 72))
            if at >= _AS_OF:
                continue
            steps = path_steps[catalog[integration]]
            path_events = [("integration_started", at)]
            for step in steps[1:]:
                if rng.random() < 0.25:
                    if rng.random() < 0.5:
                        b.error(acc, integration, user, at + timedelta(minutes=rng.uniform(5, 120)),
                                rng.choice(PATH_ERROR_CODES[catalog[integration]]))
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


@cache
def _stories() -> tuple[dict[str, str], dict[str, str | None]]:
    demo = build_demo()
    return dict(demo.stories), dict(demo.story_integrations)


def demo_stories() -> dict[str, str]:
    """Demo account_id -> the segment, journey step, guardrail or edge case it demonstrates."""
    return dict(_stories()[0])


def demo_story_integrations() -> dict[str, str | None]:
    """Demo account_id -> the integration_type of the setup that demonstrates its story (None: account level)."""
    return dict(_stories()[1])


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
