"""Message sends with effects, for the demo and the synthetic generator (issue 13).

The journeys only matter if they change what setups do. This module simulates a holdout
experiment so `journey_message_outcomes`, `journey_lift` and `integration_status_confusion`
have something to measure:

- **Holdout**: an account is in the holdout when its stable hash bucket (the first 8 hex digits
  of md5(account_id) modulo 100, exactly `macros/journey/hash_bucket.sql`) is below
  `holdout_percent()` (the `lift_holdout_percent` var's default). Holdout accounts never get a
  user-facing message.
- **Effects** (treatment only; realistic in that messages help some steps and not others):
  stalled-setup help rescues waiting api and domain setups at their middle steps (a reminder
  with the missing DNS record or the test call to make) but not oauth ones (an OAuth connection
  stalls on permissions a reminder cannot grant); the start confirmation changes nothing;
  troubleshooting halves the chance the same error recurs and the setup drops; an admin
  escalation gets admin-only setups past credentials; the success hand-off raises activation.

demo.py and synthetic.py call in here through hooks: `add_demo_impact_accounts` (after the demo's
background accounts, with its own random stream so the existing demo rows do not move) and,
for the vectorised generator, `synthetic_holdout` / `treated_drop_factor` / `keep_sends`.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from setup_journeys.event_values import ACQUISITION_SOURCES, PATH_ERROR_CODES
from setup_journeys.settings import project_vars
from setup_journeys.vocabulary import load as load_vocabulary
from setup_journeys.vocabulary import seed_rows

if TYPE_CHECKING:  # pragma: no cover - imports for type checkers only (demo.py imports this module)
    from setup_journeys.demo import _Account, _DemoBuilder, _User

def holdout_percent() -> float:
    """Share of accounts (by stable hash bucket) held out of user-facing messages in the simulation:
    the `lift_holdout_percent` var's default, read from its one home (dbt_project.yml)."""
    return float(project_vars()["lift_holdout_percent"])

#: Seed of the demo's impact stream (independent of the demo's main stream).
DEMO_IMPACT_SEED = 13
#: Dedicated demo accounts of the experiment: this many in the holdout and in the treatment.
DEMO_HOLDOUT_ACCOUNTS = 40
DEMO_TREATMENT_ACCOUNTS = 50

@cache
def reminder_minutes() -> dict[str, tuple[int, int, int]]:
    """Each path's three reminder windows in minutes, from their home (seeds/setup_paths.csv), read on first use."""
    return {
        row["setup_path"]: (int(row["reminder_1_minutes"]), int(row["reminder_2_minutes"]),
                            int(row["reminder_3_minutes"]))
        for row in seed_rows("setup_paths")
    }


#: Chance of dropping out before step k (index = step number - 1; step 1 is the start).
_BASE_DROP: dict[str, tuple[float, ...]] = {  # vocabulary-ok: simulation parameters per path, not a list of paths
    "oauth": (0.0, 0.20, 0.30),
    "api": (0.0, 0.20, 0.50, 0.15),
    "domain": (0.0, 0.15, 0.55, 0.15),
}
#: Median minutes from step k-1 to step k (long enough that many setups stall past reminder 1).
_BASE_DELAY_MINUTES: dict[str, tuple[float, ...]] = {  # vocabulary-ok: simulation parameters per path
    "oauth": (0.0, 20.0, 240.0),
    "api": (0.0, 90.0, 600.0, 240.0),
    "domain": (0.0, 60.0, 1800.0, 300.0),
}
#: Which waits a stalled-setup reminder helps: (path, step number waited for).
HELPED_BY_REMINDER = {("api", 3), ("domain", 3)}
#: In the treatment, the drop chance of a helped wait is multiplied by this.
REMINDER_DROP_FACTOR = 0.15
TROUBLESHOOTING_DROP_FACTOR = 0.3
ESCALATION_DROP_FACTOR = 0.3
#: Chance an error recurs (same code) after the repeated pair, without and with troubleshooting.
RECURRENCE = {"holdout": 0.6, "treatment": 0.25}
#: Chance a completed setup's account launches a workflow, without and with the success hand-off.
ACTIVATION = {"holdout": 0.45, "treatment": 0.8}


def hash_bucket(account_id: str, buckets: int = 100) -> int:
    """The stable bucket of macros/journey/hash_bucket.sql: md5 hex, first 8 digits, modulo buckets."""
    return int(hashlib.md5(account_id.encode("utf-8")).hexdigest()[:8], 16) % buckets


def is_holdout(account_id: str, percent: float | None = None) -> bool:
    return hash_bucket(account_id) < (holdout_percent() if percent is None else percent)


# --------------------------------------------------------------------------------------------
# Demo: dedicated accounts of a holdout experiment, each setup simulated with its messages
# --------------------------------------------------------------------------------------------


def _experiment_account_ids() -> tuple[list[str], list[str]]:
    """The first DEMO_HOLDOUT_ACCOUNTS holdout ids and DEMO_TREATMENT_ACCOUNTS treatment ids."""
    holdout: list[str] = []
    treatment: list[str] = []
    number = 0
    while len(holdout) < DEMO_HOLDOUT_ACCOUNTS or len(treatment) < DEMO_TREATMENT_ACCOUNTS:
        number += 1
        account_id = f"acc_lift_{number:04d}"
        group = holdout if is_holdout(account_id) else treatment
        limit = DEMO_HOLDOUT_ACCOUNTS if group is holdout else DEMO_TREATMENT_ACCOUNTS
        if len(group) < limit:
            group.append(account_id)
    return holdout, treatment


class _SetupSimulation:
    """One setup of an experiment account: its events and, in the treatment, its messages."""

    def __init__(self, builder: "_DemoBuilder", rng: random.Random, account: "_Account", integration: str,
                 starter: "_User", start: datetime, treated: bool, as_of: datetime) -> None:
        vocabulary = load_vocabulary()
        self.b, self.rng, self.account, self.integration = builder, rng, account, integration
        self.starter, self.treated, self.as_of = starter, treated, as_of
        self.path = vocabulary.integration_paths[integration]
        self.steps = vocabulary.path_steps[self.path]
        self.error_codes = PATH_ERROR_CODES[self.path]
        self.requires_admin = integration in vocabulary.admin_integrations
        self.start = start
        self.reached: list[tuple[str, datetime]] = []

    # -- helpers -------------------------------------------------------------------------------
    def _event(self, name: str, at: datetime, props: dict[str, Any] | None = None,
               integration: str | None = "setup") -> None:
        if at >= self.as_of:
            return
        self.b.event(self.account, name, at, user=self.starter,
                     integration=self.integration if integration == "setup" else integration, props=props or {})

    def _send(self, step: str, at: datetime, user: "_User | None" = None, reminder: int | None = None) -> None:
        if self.treated and at < self.as_of:
            self.b.send(self.account, self.integration, user or self.starter, step, at.replace(microsecond=0),
                        reminder_number=reminder)

    def _minutes(self, median: float, sigma: float = 0.9) -> timedelta:
        return timedelta(minutes=self.rng.lognormvariate(np.log(max(median, 1.0)), sigma))

    # -- the setup -----------------------------------------------------------------------------
    def run(self) -> None:
        rng, path = self.rng, self.path
        t = self.start
        self.reached.append(("integration_started", t))
        stalled_admin = self.requires_admin and self.starter.role not in {"owner", "admin"}
        for step_number in range(2, len(self.steps) + 1):
            drop = _BASE_DROP[path][step_number - 1]
            delay = self._minutes(_BASE_DELAY_MINUTES[path][step_number - 1])
            # Two errors with the same code before this step, sometimes.
            if rng.random() < 0.25:
                code = rng.choice(self.error_codes)
                first = t + self._minutes(15)
                second = first + self._minutes(40, 0.5)
                for at in (first, second):
                    self._event("setup_error_seen", at, {"error_code": code, "environment": "production"})
                    if rng.random() < 0.3:
                        self._event("integration_status_viewed", at + timedelta(minutes=3), {"status": "error"})
                drop = min(0.9, drop + 0.25)
                group = "treatment" if self.treated else "holdout"
                if self.treated:
                    self._send("repeated_failure_troubleshooting", second + timedelta(minutes=20),
                               user=self.starter)
                    drop *= TROUBLESHOOTING_DROP_FACTOR
                if rng.random() < RECURRENCE[group]:
                    self._event("setup_error_seen", second + self._minutes(240, 0.6),
                                {"error_code": code, "environment": "production"})
                    if rng.random() < 0.3:
                        self._event("support_ticket_opened", second + self._minutes(360, 0.5))
                delay = max(delay, (second - t) + self._minutes(60))
            if step_number == 2 and stalled_admin:
                admin = next((user for user in self.account.users if user.role in load_vocabulary().admin_roles), None)
                if admin is not None:
                    self._send("admin_escalation", t + timedelta(hours=1, minutes=10), user=admin)
                    if self.treated:
                        drop *= ESCALATION_DROP_FACTOR
                delay += timedelta(hours=2)
            first_reminder = timedelta(minutes=reminder_minutes()[path][0])
            helped = self.treated and (path, step_number) in HELPED_BY_REMINDER
            if helped:
                drop *= REMINDER_DROP_FACTOR
                if delay > first_reminder:
                    # The reminder prompts the missing action within a few hours.
                    delay = min(delay, first_reminder + self._minutes(120, 0.7))
            dropped = rng.random() < drop
            waited = timedelta(days=30) if dropped else delay
            for number, minutes in enumerate(reminder_minutes()[path], start=1):
                if waited > timedelta(minutes=minutes):
                    self._send("stalled_setup_help", t + timedelta(minutes=minutes), reminder=number)
            if step_number == 2:
                confirmation_at = t + timedelta(minutes=30)
                if waited > timedelta(minutes=30):
                    self._send("setup_started_confirmation", confirmation_at)
            if dropped:
                break
            t = t + delay
            self.reached.append((self.steps[step_number - 1], t))
        self._emit_milestones()
        self._emit_status_signals()

    def _emit_milestones(self) -> None:
        for name, at in self.reached:
            props: dict[str, Any] = {"setup_surface": "onboarding_checklist"}
            if name == "integration_started":
                props.update(provider=self.integration, initiated_by_role=self.starter.role)
            self._event(name, at, props)
        completed = len(self.reached) == len(self.steps)
        if completed:
            done_at = self.reached[-1][1]
            self._send("setup_success_handoff", done_at + timedelta(hours=1))
            if self.rng.random() < ACTIVATION["treatment" if self.treated else "holdout"]:
                self._event("workflow_launched", done_at + self._minutes(1440, 0.7), integration=None)

    def _emit_status_signals(self) -> None:
        """The status-confusion signals of ticket 001, in both groups alike."""
        rng = self.rng
        completed = len(self.reached) == len(self.steps)
        done_at = self.reached[-1][1] if completed else None
        ui_flow_share = {"oauth": 0.8, "api": 0.5, "domain": 0.6}  # vocabulary-ok: simulation parameters per path
        if len(self.reached) >= 2 and rng.random() < ui_flow_share[self.path]:
            ui_done_at = self.reached[1][1] + timedelta(minutes=1)
            self._event("integration_setup_completed", ui_done_at)
            if done_at is None or done_at > ui_done_at + timedelta(hours=2):
                if rng.random() < 0.6:
                    viewed_at = ui_done_at + self._minutes(240, 0.6)
                    self._event("integration_status_viewed", viewed_at, {"status": "pending"})
                    if rng.random() < 0.5:
                        self._event("integration_reconnect_attempted", viewed_at + self._minutes(120, 0.8))
                    if rng.random() < 0.25:
                        self._event("support_ticket_opened", viewed_at + self._minutes(300, 0.6))
        if done_at is not None and rng.random() < 0.4:
            viewed_at = done_at + self._minutes(600, 0.8)
            self._event("integration_status_viewed", viewed_at, {"status": "connected"})
            if rng.random() < (0.35 if self.path == "oauth" else 0.1):
                self._event("integration_reconnect_attempted", viewed_at + self._minutes(30, 0.6))


def add_demo_impact_accounts(builder: "_DemoBuilder", as_of: datetime) -> None:
    """Dedicated demo accounts of a 10 % holdout experiment, settled (windows closed) by as_of."""
    vocabulary = load_vocabulary()
    rng = random.Random(DEMO_IMPACT_SEED)
    holdout, treatment = _experiment_account_ids()
    integrations = list(vocabulary.integration_paths)
    for account_id in sorted(holdout + treatment):
        roles = rng.choice([["owner", "engineer"], ["owner", "marketer", "engineer"], ["owner", "admin", "member"]])
        signed_up_at = (as_of - timedelta(days=rng.uniform(20, 60))).replace(microsecond=0)
        account = builder.account(
            account_id,
            roles=roles,
            plan_tier=rng.choices(vocabulary.plan_tiers, weights=[35, 30, 25, 10])[0],  # the seed's order: free .. enterprise
            signed_up_at=signed_up_at,
            source=rng.choice(ACQUISITION_SOURCES),
        )
        for integration in rng.sample(integrations, k=rng.choice([4, 5, 5])):
            starter = rng.choice(account.users)
            start = signed_up_at + timedelta(hours=rng.uniform(0.5, 72))
            _SetupSimulation(builder, rng, account, integration, starter, start,
                             treated=account_id in treatment, as_of=as_of).run()


# --------------------------------------------------------------------------------------------
# Synthetic generator: the same holdout and effects, vectorised
# --------------------------------------------------------------------------------------------


def synthetic_holdout(account_numbers: np.ndarray, percent: float | None = None) -> np.ndarray:
    """Holdout flags of the synthetic accounts ('a' + the number zero-padded to 9 digits)."""
    percent = holdout_percent() if percent is None else percent
    return np.fromiter(
        (is_holdout(f"a{number:09d}", percent) for number in account_numbers.tolist()),
        dtype=bool, count=len(account_numbers),
    )


def treated_drop_factor(paths: list[str], path_index: np.ndarray, step_index: int,
                        holdout: np.ndarray) -> np.ndarray:
    """Multiplier of the drop chance before step `step_index` (0-based): < 1 only where a message helps."""
    helped = np.array([(path, step_index + 1) in HELPED_BY_REMINDER for path in paths])
    return np.where(helped[path_index] & ~holdout, REMINDER_DROP_FACTOR, 1.0)


def keep_sends(send_accounts: np.ndarray, holdout: np.ndarray) -> np.ndarray:
    """Mask of synthetic sends to keep: none to a holdout account (user-facing steps only are simulated)."""
    return ~holdout[send_accounts]
