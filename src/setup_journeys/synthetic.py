"""Synthetic raw data at scale: realistic setups for any number of accounts, vectorised with numpy.

Accounts are simulated in chunks (`GeneratorConfig.chunk_accounts`) and written straight into DuckDB, so
memory stays flat at any size. Each chunk's timeline comes from its own random stream
(seed, stream, chunk number), so the same seed gives the same rows whichever window is written: the
base load (`write_synthetic`) and the following days (`write_next_day`) fit together like a real feed.
Delivery noise is added on top: re-deliveries, late arrivals and dirty rows of each `DirtyKind`.

Names (event taxonomy, error taxonomy, integration catalog, paths, roles, plan tiers, journey steps) are
read from the seeds through `setup_journeys.vocabulary` when generation starts; the simulation works on
their integer codes (`_Codes`). Nothing is read or built at import.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
from rich.progress import Progress

from setup_journeys import message_sends
from setup_journeys.event_values import (
    ACQUISITION_SOURCES,
    ENVIRONMENTS,
    PATH_ERROR_CODES,
    SETUP_SURFACES,
    STATUS_VALUES,
    UNKNOWN_ERROR_CODE,
    UNKNOWN_INTEGRATION,
)
from setup_journeys.raw_schema import create_raw_schema, row_counts
from setup_journeys.vocabulary import load as load_vocabulary

#: Average raw events per account with the default config (measured; used by accounts_for_events).
EVENTS_PER_ACCOUNT = 31.5  # 29.0 before the treatment effects of message_sends.py (more setups complete)
_DAY = 86_400


class DirtyKind(IntEnum):
    """What is wrong with a dirty event row (SPEC section 7). A share `dirty_rate` of the rows gets one
    kind, drawn uniformly; clean rows have kind 0. Re-deliveries copy the kind of their original."""

    NULL_ACCOUNT_ID = 1
    NULL_OCCURRED_AT = 2
    UNKNOWN_EVENT_NAME = 3  # 'foo_bar' or 'Unknown Event'
    MALFORMED_PROPERTIES = 4  # not JSON
    EVENT_NAME_VARIANT = 5  # upper case, hyphens or runs of spaces: normalised by staging
    INTEGRATION_TYPE_VARIANT = 6  # padded and upper case: normalised by staging
    NULL_INTEGRATION_TYPE = 7
    CLOCK_AHEAD = 8  # occurred_at more than a day after received_at
    NULL_EVENT_ID = 9  # re-delivered exactly (same received_at): the content hash collapses them
    NULL_PROPERTIES = 10


_CLEAN = 0

# -- the producers' behaviour (generator knowledge, not rules of the models) -------------------

# Share of each plan tier (plan_tiers seed order) and of each non-owner role (user_roles seed order).
_PLAN_TIER_SHARES = (0.45, 0.30, 0.18, 0.07)
_OTHER_ROLE_SHARES = (0.2, 0.3, 0.2, 0.3)
# How often each integration is set up; the unknown type is rare.
_INTEGRATION_WEIGHTS: dict[str, float] = {  # vocabulary-ok: producer behaviour per integration, not a list
    "salesforce": 0.14, "hubspot": 0.16, "slack": 0.16, "stripe": 0.14, "custom_api": 0.13, "webhook": 0.12,
    "sending_domain": 0.13, UNKNOWN_INTEGRATION: 0.02,
}
# Per setup path and step (step 1 first): the share that drops off before the step, and the median
# minutes from the previous step.
_PATH_FUNNEL: dict[str, tuple[tuple[float, ...], tuple[int, ...]]] = {  # vocabulary-ok: producer behaviour per path
    "oauth": ((0, 0.20, 0.25, 0), (0, 5, 120, 0)),
    "api": ((0, 0.25, 0.25, 0.15), (0, 20, 180, 360)),
    "domain": ((0, 0.15, 0.30, 0.15), (0, 10, 1200, 240)),
}


def _position(values: tuple[str, ...], value: str) -> int:
    """1-based position of a value in a list (0 means absent): the code of an optional property value."""
    return values.index(value) + 1


@dataclass(frozen=True)
class _Codes:
    """The seeds' names the simulation draws from, as integer codes (index into each tuple)."""

    event_names: tuple[str, ...]
    event: dict[str, int]
    itypes: tuple[str, ...]  # the catalog, then one type it does not know (behaves like an api setup)
    itype_weights: np.ndarray
    itype_path: np.ndarray
    paths: tuple[str, ...]
    oauth_path: int
    path_len: np.ndarray
    path_step_codes: np.ndarray  # path x step -> event code (-1 past the path's last step)
    drop: np.ndarray
    delay_median_min: np.ndarray
    error_codes: tuple[str, ...]  # the taxonomy, then one code it does not know
    path_errors: tuple[np.ndarray, ...]
    self_coded: dict[int, int]  # error code -> the error event that carries it by default
    roles: tuple[str, ...]
    owner_role: int
    admin_role: int
    other_roles: tuple[int, ...]
    plan_tiers: tuple[str, ...]
    journey_steps: tuple[str, ...]

    def step(self, name: str) -> int:
        return self.journey_steps.index(name)


@cache
def _codes() -> _Codes:
    vocabulary = load_vocabulary()
    event = {name: code for code, name in enumerate(vocabulary.event_names)}
    paths = tuple(vocabulary.path_steps)
    itypes = (*vocabulary.integration_paths, UNKNOWN_INTEGRATION)
    width = max(len(steps) for steps in vocabulary.path_steps.values())
    error_codes = (*vocabulary.error_codes, UNKNOWN_ERROR_CODE)
    roles = vocabulary.user_roles
    return _Codes(
        event_names=vocabulary.event_names,
        event=event,
        itypes=itypes,
        itype_weights=np.array([_INTEGRATION_WEIGHTS[itype] for itype in itypes]),
        itype_path=np.array([paths.index(vocabulary.integration_paths.get(itype, "api")) for itype in itypes]),
        paths=paths,
        oauth_path=paths.index("oauth"),
        path_len=np.array([len(vocabulary.path_steps[path]) for path in paths]),
        path_step_codes=np.array([[event[step] for step in vocabulary.path_steps[path]]
                                  + [-1] * (width - len(vocabulary.path_steps[path])) for path in paths]),
        drop=np.array([_PATH_FUNNEL[path][0] for path in paths]),
        delay_median_min=np.array([_PATH_FUNNEL[path][1] for path in paths]),
        error_codes=error_codes,
        path_errors=tuple(np.array([error_codes.index(code) for code in PATH_ERROR_CODES[path]]) for path in paths),
        self_coded={error_codes.index(code): event[name] for name, code in vocabulary.self_coded_errors.items()},
        roles=roles,
        owner_role=roles.index("owner"),
        admin_role=roles.index("admin"),
        other_roles=tuple(code for code, role in enumerate(roles) if role != "owner"),
        plan_tiers=vocabulary.plan_tiers,
        journey_steps=vocabulary.step_names,
    )


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
    c = _codes()
    # Accounts.
    signup = rng.integers(signup_lo, signup_hi, n_acc)
    plan = rng.choice(len(c.plan_tiers), n_acc, p=_PLAN_TIER_SHARES)
    source = rng.choice(len(ACQUISITION_SOURCES), n_acc)
    upgraded = rng.random(n_acc) < 0.08
    accounts = dict(
        acct=np.concatenate([np.arange(n_acc), np.flatnonzero(upgraded)]),
        plan=np.concatenate([plan, np.minimum(plan[upgraded] + 1, len(c.plan_tiers) - 1)]),  # one tier up
        source=np.concatenate([source, source[upgraded]]),
        signup=np.concatenate([signup, signup[upgraded]]),
        updated=np.concatenate([signup, signup[upgraded] + rng.integers(_DAY, 30 * _DAY, upgraded.sum())]),
    )
    # Users: 1-6 per account, the first is the owner.
    n_users = rng.choice(np.arange(1, 7), n_acc, p=[0.30, 0.25, 0.20, 0.12, 0.08, 0.05])
    user_start = np.concatenate([[0], np.cumsum(n_users)[:-1]])
    u_acct = np.repeat(np.arange(n_acc), n_users)
    u_k = np.arange(len(u_acct)) - np.repeat(user_start, n_users)
    u_role = np.where(u_k == 0, c.owner_role, rng.choice(c.other_roles, len(u_acct), p=_OTHER_ROLE_SHARES))
    u_opt = rng.random(len(u_acct)) < 0.08
    u_created = signup[u_acct] + np.where(u_k == 0, 0, rng.integers(0, 5 * _DAY, len(u_acct)))
    change = rng.random(len(u_acct))
    role_change, opt_change = change < 0.05, (change >= 0.05) & (change < 0.08)
    changed = role_change | opt_change
    users = dict(
        acct=np.concatenate([u_acct, u_acct[changed]]),
        k=np.concatenate([u_k, u_k[changed]]),
        role=np.concatenate([u_role, np.where(role_change[changed], c.admin_role, u_role[changed])]),
        opt=np.concatenate([u_opt, np.where(opt_change[changed], ~u_opt[changed], u_opt[changed])]),
        created=np.concatenate([u_created, u_created[changed]]),
        updated=np.concatenate([u_created, u_created[changed] + rng.integers(_DAY, 30 * _DAY, changed.sum())]),
    )

    # Setups: 0-3 distinct integration types per account (Gumbel top-k on weights).
    n_setups = rng.choice(4, n_acc, p=[0.18, 0.40, 0.29, 0.13])
    keys = np.log(c.itype_weights) + rng.gumbel(size=(n_acc, len(c.itypes)))
    order = np.argsort(-keys, axis=1)
    take = np.arange(3)[None, :] < n_setups[:, None]
    s_acct = np.repeat(np.arange(n_acc), n_setups)
    s_rank = np.broadcast_to(np.arange(3), (n_acc, 3))[take]
    s_itype = order[:, :3][take]
    s_path = c.itype_path[s_itype]
    n_s = len(s_acct)
    s_user = (rng.random(n_s) * n_users[s_acct]).astype(np.int64)
    s_role = u_role[user_start[s_acct] + s_user]
    first_delay = rng.lognormal(np.log(3 * 3600), 1.5, n_s)
    later_delay = rng.lognormal(np.log(2 * _DAY), 1.2, n_s)
    start = signup[s_acct] + np.where(s_rank == 0, first_delay, later_delay).astype(np.int64) + 60
    surface = rng.integers(1, len(SETUP_SURFACES) + 1, n_s)
    env = rng.integers(1, len(ENVIRONMENTS) + 1, n_s)
    steps = c.path_len[s_path]
    width = c.path_step_codes.shape[1]  # steps of the longest path

    reached = np.zeros((n_s, width), dtype=bool)
    times = np.zeros((n_s, width), dtype=np.int64)
    reached[:, 0], times[:, 0] = True, start
    # Holdout accounts (stable hash bucket) get no messages; reminders help the treatment at some steps.
    holdout = message_sends.synthetic_holdout(np.arange(n_acc) + first)
    for k in range(1, width):
        drop = c.drop[s_path, k] * message_sends.treated_drop_factor(list(c.paths), s_path, k, holdout[s_acct])
        go = reached[:, k - 1] & (k < steps) & (rng.random(n_s) >= drop)
        delay = rng.lognormal(np.log(np.maximum(c.delay_median_min[s_path, k], 1) * 60.0), 1.2)
        times[:, k] = times[:, k - 1] + delay.astype(np.int64) + 1
        reached[:, k] = go
    highest = reached.sum(axis=1) - 1
    t_last = times[np.arange(n_s), highest]
    completed = highest == steps - 1

    ev = _Events()
    acct_of = s_acct
    # Milestones (a few not emitted: completion can arrive without the earlier step events).
    for k in range(width):
        emit = reached[:, k] & (rng.random(n_s) >= 0.03)
        idx = np.flatnonzero(emit)
        ev.add(acct_of[idx], c.path_step_codes[s_path[idx], k], times[idx, k], user=s_user[idx],
               itype=s_itype[idx], env=env[idx], surface=surface[idx], role=np.where(k == 0, s_role[idx], -1))
    # Restarts: integration_started again.
    idx = np.flatnonzero(rng.random(n_s) < 0.05)
    ev.add(acct_of[idx], c.event["integration_started"], start[idx] + rng.integers(3600, 10 * _DAY, len(idx)),
           user=s_user[idx], itype=s_itype[idx], surface=surface[idx], role=s_role[idx])
    # Errors: bursts of 1-3 with the same code, before a step or after the last one reached.
    for k in range(1, width):
        has = reached[:, k - 1] & (k < steps) & (rng.random(n_s) < np.where(reached[:, k], 0.12, 0.35))
        idx = np.flatnonzero(has)
        if len(idx) == 0:
            continue
        count = 1 + rng.binomial(2, 0.4, len(idx))
        code = np.empty(len(idx), dtype=np.int64)
        for path, path_errors in enumerate(c.path_errors):
            on_path = s_path[idx] == path
            code[on_path] = rng.choice(path_errors, on_path.sum())
        lo = times[idx, k - 1]
        span = np.where(reached[idx, k], times[idx, k] - lo, 2 * _DAY)
        rep = np.repeat(np.arange(len(idx)), count)
        t_err = lo[rep] + (rng.random(len(rep)) * np.maximum(span[rep], 2)).astype(np.int64) + 1
        e_code = code[rep]
        name = np.full(len(rep), c.event["setup_error_seen"])
        for code_index, name_code in c.self_coded.items():
            self_named = (e_code == code_index) & (rng.random(len(rep)) < 0.6)
            name[self_named] = name_code
        omit = (name != c.event["setup_error_seen"]) & (rng.random(len(rep)) < 0.5)
        ev.add(acct_of[idx][rep], name, t_err, user=s_user[idx][rep], itype=s_itype[idx][rep],
               err=np.where(omit, -1, e_code), env=env[idx][rep])
        # Reconnect attempts after oauth errors; support tickets sometimes.
        recon = (s_path[idx][rep] == c.oauth_path) & (rng.random(len(rep)) < 0.5)
        r = np.flatnonzero(recon)
        ev.add(acct_of[idx][rep][r], c.event["integration_reconnect_attempted"],
               t_err[r] + rng.integers(60, 12 * 3600, len(r)), user=s_user[idx][rep][r],
               itype=s_itype[idx][rep][r], surface=_position(SETUP_SURFACES, "settings_page"))
        tick = np.flatnonzero(rng.random(len(idx)) < 0.05)
        ev.add(acct_of[idx][tick], c.event["support_ticket_opened"], lo[tick] + 3600, user=s_user[idx][tick],
               itype=s_itype[idx][tick])
    # Docs and pricing views (with or without integration_type) and status views during setup.
    n_views = rng.poisson(0.7, n_s)
    rep = np.repeat(np.arange(n_s), n_views)
    ev.add(acct_of[rep], np.where(rng.random(len(rep)) < 0.7, c.event["setup_docs_viewed"], c.event["pricing_viewed"]),
           start[rep] + rng.integers(0, 3 * _DAY, len(rep)), user=s_user[rep],
           itype=np.where(rng.random(len(rep)) < 0.6, s_itype[rep], -1), surface=surface[rep])
    n_status = rng.poisson(1.2, n_s)
    rep = np.repeat(np.arange(n_s), n_status)
    t_status = start[rep] + rng.integers(0, 5 * _DAY, len(rep))
    connected, pending, error = (_position(STATUS_VALUES, value) for value in ("connected", "pending", "error"))
    status = np.where(completed[rep] & (t_status >= t_last[rep]), connected,
                      rng.choice([pending, error], len(rep), p=[0.7, 0.3]))
    ev.add(acct_of[rep], c.event["integration_status_viewed"], t_status, user=s_user[rep], itype=s_itype[rep],
           status=status)
    # The UI's last screen: mostly after completion, sometimes without it.
    ui_done = np.flatnonzero((completed & (rng.random(n_s) < 0.8)) | (~completed & (highest >= 1)
                                                                       & (rng.random(n_s) < 0.15)))
    ev.add(acct_of[ui_done], c.event["integration_setup_completed"], t_last[ui_done] + 30, user=s_user[ui_done],
           itype=s_itype[ui_done], surface=surface[ui_done])
    # After completion: first workflow, then ongoing activity (recurring syncs, workflows, status views).
    done = np.flatnonzero(completed)
    first_wf = done[rng.random(len(done)) < 0.7]
    ev.add(acct_of[first_wf], c.event["workflow_launched"],
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
    is_oauth = s_path[rep] == c.oauth_path
    name = np.where(is_oauth & (kind < 0.5), c.event["sync_completed"],
                    np.where(kind < 0.8, c.event["workflow_launched"], c.event["integration_status_viewed"]))
    ev.add(acct_of[rep], name, t_after,
           user=np.where(name == c.event["sync_completed"], -1, s_user[rep]),
           itype=np.where(name == c.event["workflow_launched"], -1, s_itype[rep]),
           status=np.where(name == c.event["integration_status_viewed"], connected, 0))
    events = ev.concat()

    # Messages the messaging tool sent back: confirmations, handoffs, reminders.
    conf = np.flatnonzero(rng.random(n_s) < 0.5)
    hand = done[rng.random(len(done)) < 0.8]
    stall = np.flatnonzero(~completed & (rng.random(n_s) < 0.3))
    sends = dict(
        acct=np.concatenate([acct_of[conf], acct_of[hand], acct_of[stall]]),
        user=np.concatenate([s_user[conf], s_user[hand], s_user[stall]]),
        itype=np.concatenate([s_itype[conf], s_itype[hand], s_itype[stall]]),
        step=np.concatenate([np.full(len(conf), c.step("setup_started_confirmation")),
                             np.full(len(hand), c.step("setup_success_handoff")),
                             np.full(len(stall), c.step("stalled_setup_help"))]),
        reminder=np.concatenate([np.full(len(conf), -1), np.full(len(hand), -1), np.ones(len(stall), dtype=np.int64)]),
        t=np.concatenate([start[conf] + 2700, t_last[hand] + 3600, t_last[stall] + 3 * 3600]),
    )
    kept = message_sends.keep_sends(sends["acct"], holdout)
    sends = {key: value[kept] for key, value in sends.items()}
    return accounts, users, events, sends




def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + value + "'" for value in values) + "]"


def _ts(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds.astype("datetime64[s]").astype("datetime64[us]"), type=pa.timestamp("us"))


def _add_delivery(rng: np.random.Generator, events: dict[str, np.ndarray], config: GeneratorConfig,
                  chunk_no: int) -> dict[str, np.ndarray]:
    """received_at, duplicates (re-deliveries), late arrivals and dirty rows."""
    n = len(events["t"])
    occurred = events["t"]
    received = occurred + 1 + rng.exponential(40, n).astype(np.int64)
    late = rng.random(n) < config.late_rate
    received[late] = occurred[late] + rng.integers(2 * 3600, 4 * _DAY, late.sum())
    dirty = np.where(rng.random(n) < config.dirty_rate, rng.integers(1, len(DirtyKind) + 1, n), _CLEAN)
    # Client clock ahead: occurred_at more than a day after received_at.
    skew = dirty == DirtyKind.CLOCK_AHEAD
    received[skew] = occurred[skew] - rng.integers(_DAY + 3 * 3600, 3 * _DAY, skew.sum())
    pos = np.arange(n, dtype=np.int64)
    dup = np.flatnonzero(rng.random(n) < config.duplicate_rate)
    # Some re-delivered twice more (three copies in all).
    dup = np.concatenate([dup, dup[rng.random(len(dup)) < 0.1]])
    shift = rng.lognormal(np.log(600), 1.5, len(dup)).astype(np.int64) + 1
    shift[dirty[dup] == DirtyKind.NULL_EVENT_ID] = 0  # exact re-deliveries of rows without event_id
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


@cache
def _events_sql() -> str:
    c, kind = _codes(), {dirty.name: dirty.value for dirty in DirtyKind}
    return f"""
insert into raw.setup_events
with coded as (
    select
        *,
        'a' || lpad(acct::varchar, 9, '0') as account_key,
        {_sql_list(c.event_names)}[name + 1] as clean_name,
        case when itype >= 0 then {_sql_list(c.itypes)}[itype + 1] end as clean_itype
    from _chunk_events
)
select
    case when dirty = {kind['NULL_EVENT_ID']} then null else 'ev' || chunk || '-' || pos end as event_id,
    case
        when dirty = {kind['UNKNOWN_EVENT_NAME']} then case when pos % 2 = 0 then 'foo_bar' else 'Unknown Event' end
        when dirty = {kind['EVENT_NAME_VARIANT']} then case pos % 3
            when 0 then upper(replace(clean_name, '_', ' '))
            when 1 then '  ' || replace(clean_name, '_', '-')
            else replace(clean_name, '_', '  ') end
        else clean_name
    end as event_name,
    case when dirty = {kind['NULL_OCCURRED_AT']} then null else t end as occurred_at,
    received as received_at,
    case when dirty = {kind['NULL_ACCOUNT_ID']} then null else account_key end as account_id,
    case when "user" >= 0 then account_key || '_u' || "user" end as user_id,
    case
        when dirty = {kind['NULL_INTEGRATION_TYPE']} then null
        when dirty = {kind['INTEGRATION_TYPE_VARIANT']} and clean_itype is not null then ' ' || upper(clean_itype) || ' '
        else clean_itype
    end as integration_type,
    case
        when dirty = {kind['MALFORMED_PROPERTIES']} then case when pos % 2 = 0 then '{{error_code: oops' else 'not json' end
        when dirty = {kind['NULL_PROPERTIES']} then null
        else '{{' || concat_ws(', ',
            case when err >= 0 then '"error_code": "' || {_sql_list(c.error_codes)}[err + 1] || '"' end,
            case when env > 0 then '"environment": "' || {_sql_list(ENVIRONMENTS)}[env] || '"' end,
            case when clean_name = 'api_key_created' then '"key_scope": "' || case when pos % 4 = 0
                then 'read' else 'write' end || '"' end,
            case when surface > 0 then '"setup_surface": "' || {_sql_list(SETUP_SURFACES)}[surface] || '"' end,
            case when status > 0 then '"status": "' || {_sql_list(STATUS_VALUES)}[status] || '"' end,
            case when clean_name = 'integration_started' then '"provider": "' || clean_itype || '"' end,
            case when role >= 0 then '"initiated_by_role": "' || {_sql_list(c.roles)}[role + 1] || '"' end,
            case when clean_name in ('domain_verification_started', 'domain_verified') then
                '"domain": "mail.' || account_key || '.example.com", "verification_method": "'
                || case when pos % 3 = 0 then 'cname' else 'dns_txt' end || '"' end
        ) || '}}'
    end as properties
from coded
"""

@cache
def _accounts_sql() -> str:
    c = _codes()
    return f"""
insert into raw.accounts
select
    'a' || lpad(acct::varchar, 9, '0'),
    'Account ' || acct,
    {_sql_list(c.plan_tiers)}[plan + 1],
    signup,
    {_sql_list(ACQUISITION_SOURCES)}[source + 1],
    updated
from _chunk_accounts
"""

@cache
def _users_sql() -> str:
    c = _codes()
    return f"""
insert into raw.users
select
    'a' || lpad(acct::varchar, 9, '0') || '_u' || k,
    'a' || lpad(acct::varchar, 9, '0'),
    {_sql_list(c.roles)}[role + 1] || k || '@a' || acct || '.example.com',
    {_sql_list(c.roles)}[role + 1],
    opt,
    created,
    updated
from _chunk_users
"""

@cache
def _sends_sql() -> str:
    c = _codes()
    return f"""
insert into raw.message_sends
select
    'msg' || chunk || '-' || row_number() over (order by acct, t, step, itype),
    'syn-' || chunk || '-' || acct || '-' || itype || '-' || step || '-' || t,
    'a' || lpad(acct::varchar, 9, '0'),
    {_sql_list(c.itypes)}[itype + 1],
    'a' || lpad(acct::varchar, 9, '0') || '_u' || "user",
    {_sql_list(c.journey_steps)}[step + 1],
    case when reminder > 0 then reminder end,
    t
from _chunk_sends
"""


def _write_chunk(con: duckdb.DuckDBPyConnection, config: GeneratorConfig, chunk_no: int, first: int,
                 n_acc: int, signup_lo: int, signup_hi: int, lo: int | None, hi: int) -> None:
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
    con.execute(_events_sql())
    con.unregister("_chunk_events")

    keep = _window(accounts["updated"], lo, hi)
    con.register("_chunk_accounts", pa.table({
        "acct": accounts["acct"][keep] + first, "plan": accounts["plan"][keep], "source": accounts["source"][keep],
        "signup": _ts(accounts["signup"][keep]), "updated": _ts(accounts["updated"][keep])}))
    con.execute(_accounts_sql())
    con.unregister("_chunk_accounts")

    keep = _window(users["updated"], lo, hi)
    con.register("_chunk_users", pa.table({
        "acct": users["acct"][keep] + first, "k": users["k"][keep], "role": users["role"][keep],
        "opt": users["opt"][keep], "created": _ts(users["created"][keep]), "updated": _ts(users["updated"][keep])}))
    con.execute(_users_sql())
    con.unregister("_chunk_users")

    keep = _window(sends["t"], lo, hi)
    con.register("_chunk_sends", pa.table({
        "acct": sends["acct"][keep] + first, "user": sends["user"][keep], "itype": sends["itype"][keep],
        "step": sends["step"][keep], "reminder": sends["reminder"][keep], "t": _ts(sends["t"][keep]),
        "chunk": np.full(keep.sum(), chunk_no, dtype=np.int64) + config.stream * 1_000_000}))
    con.execute(_sends_sql())
    con.unregister("_chunk_sends")


def _generate(con: duckdb.DuckDBPyConnection, config: GeneratorConfig) -> None:
    hi = _seconds(config.received_until) if config.received_until else data_end(config)
    lo = _seconds(config.received_after) if config.received_after else None
    signup_lo = _seconds(config.signup_from) if config.signup_from else data_end(config) + 1 - config.days * _DAY
    signup_hi = _seconds(config.signup_until) if config.signup_until else data_end(config) + 1
    size = config.chunk_accounts
    chunks = [(start, min(size, config.accounts - start)) for start in range(0, config.accounts, size)]
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
            config = replace(config, account_offset=_next_account_offset(con))
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
    existing = replace(config, received_after=stamp(lo), received_until=stamp(hi))
    per_day = max(1, config.accounts // config.days)
    newcomers = replace(
        existing,
        accounts=per_day,
        account_offset=config.account_offset + config.accounts + (day - 1) * per_day,
        signup_from=stamp(lo + 1),
        signup_until=stamp(hi + 1),
        stream=config.stream + day,
    )
    con = _connect(path)
    try:
        create_raw_schema(con, replace=False)
        before = row_counts(con)
        _generate(con, existing)
        # Never reuse ids of accounts appended by other calls.
        offset = max(newcomers.account_offset, _next_account_offset(con))
        _generate(con, replace(newcomers, account_offset=offset))
        after = row_counts(con)
        return {table: after[table] - before[table] for table in after}
    finally:
        con.close()
