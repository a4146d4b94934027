"""The project's closed vocabularies, read from their one home: the dbt seeds in `seeds/`.

Journey steps, channels, suppression and quarantine reasons, setup statuses and stages, friction
segments, plan tiers, user roles, setup paths and the integration catalog are each listed once, in a
seed. The models are tested against those seeds (dbt `relationships` tests), and everything on the
Python side (the nightly job's great-expectations checks, the publisher, the generators) reads them
here, so a value added to a seed is accepted everywhere at once, and nothing is typed out twice.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from setup_journeys import PROJECT_DIR

SEEDS_DIR = PROJECT_DIR / "seeds"
# The integration catalog's fallback row for types missing from it (never a real integration).
DEFAULT_INTEGRATION = "__default__"


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"true", "t", "1", "yes"}


@cache
def seed_rows(name: str, seeds_dir: Path = SEEDS_DIR) -> tuple[dict[str, str], ...]:
    """Every row of seeds/<name>.csv as a dict of strings, in file order."""
    path = seeds_dir / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(f"seed {name!r} not found at {path}: the closed vocabularies live in seeds/")
    with path.open(newline="", encoding="utf-8") as handle:
        return tuple(dict(row) for row in csv.DictReader(handle))


def _column(name: str, column: str, order_by: str | None = None) -> tuple[str, ...]:
    rows = seed_rows(name)
    if order_by:
        rows = tuple(sorted(rows, key=lambda row: int(row[order_by])))
    return tuple(row[column] for row in rows)


@dataclass(frozen=True)
class JourneyStep:
    name: str
    priority: int
    channel: str
    template_id: str
    is_user_facing: bool


@dataclass(frozen=True)
class Vocabulary:
    """All closed vocabularies, each in its seed's order (priority, check order, precedence, ...)."""

    journey_steps: tuple[JourneyStep, ...]
    channels: tuple[str, ...]
    suppression_reasons: tuple[str, ...]
    quarantine_reasons: tuple[str, ...]
    setup_statuses: tuple[str, ...]
    setup_stages: tuple[str, ...]
    friction_segments: tuple[str, ...]
    plan_tiers: tuple[str, ...]
    user_roles: tuple[str, ...]
    admin_roles: frozenset[str]
    path_steps: dict[str, tuple[str, ...]]
    integration_paths: dict[str, str]
    admin_integrations: frozenset[str]
    error_classes: dict[str, str]
    event_names: tuple[str, ...]
    self_coded_errors: dict[str, str]

    @property
    def error_codes(self) -> tuple[str, ...]:
        """The error taxonomy's codes, in the seed's order."""
        return tuple(self.error_classes)

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.journey_steps)

    @property
    def internal_steps(self) -> tuple[str, ...]:
        """Steps that go to no user (the CS queue)."""
        return tuple(step.name for step in self.journey_steps if not step.is_user_facing)

    def channel_of(self, step: str) -> str:
        return next(item.channel for item in self.journey_steps if item.name == step)


@cache
def load() -> Vocabulary:
    steps = tuple(
        JourneyStep(
            name=row["journey_step"],
            priority=int(row["priority"]),
            channel=row["channel"],
            template_id=row["template_id"],
            is_user_facing=_truthy(row["is_user_facing"]),
        )
        for row in sorted(seed_rows("journey_steps"), key=lambda row: int(row["priority"]))
    )
    path_steps: dict[str, list[str]] = {}  # paths in the seed's order, steps by step_number
    for row in sorted(seed_rows("setup_path_steps"), key=lambda row: int(row["step_number"])):
        path_steps.setdefault(row["setup_path"], []).append(row["step_name"])
    catalog = [row for row in seed_rows("integration_catalog") if row["integration_type"] != DEFAULT_INTEGRATION]
    return Vocabulary(
        journey_steps=steps,
        channels=_column("journey_channels", "channel"),
        suppression_reasons=_column("suppression_reasons", "suppression_reason", order_by="check_order"),
        quarantine_reasons=_column("quarantine_reasons", "reject_reason", order_by="check_order"),
        setup_statuses=_column("setup_statuses", "status", order_by="precedence"),
        setup_stages=_column("setup_stages", "setup_stage", order_by="stage_order"),
        friction_segments=_column("friction_segment_catalog", "segment", order_by="segment_order"),
        plan_tiers=_column("plan_tiers", "plan_tier", order_by="tier_rank"),
        user_roles=_column("user_roles", "role"),
        admin_roles=frozenset(row["role"] for row in seed_rows("user_roles") if _truthy(row["is_admin"])),
        path_steps={path: tuple(names) for path, names in path_steps.items()},
        integration_paths={row["integration_type"]: row["setup_path"] for row in catalog},
        admin_integrations=frozenset(row["integration_type"] for row in catalog if _truthy(row["requires_admin"])),
        error_classes={row["error_code"]: row["error_class"] for row in seed_rows("error_taxonomy")},
        event_names=_column("event_taxonomy", "event_name"),
        # Error events that carry their own default error_code (SPEC section 3): event name -> code.
        self_coded_errors={row["event_name"]: row["default_error_code"] for row in seed_rows("event_taxonomy")
                           if row["default_error_code"]},
    )
