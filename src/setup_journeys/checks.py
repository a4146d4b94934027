"""Data checks the nightly job runs before it publishes: great-expectations suites over the export and key marts.

dbt's own tests already ran in `dbt build`; these checks are the publishing gate seen from the sync tool's
side: the exact column list it maps, key uniqueness, value sets it routes on, and timestamps it schedules
with. The suites run in an ephemeral great-expectations context over pandas DataFrames, so they work the
same whichever warehouse the frames were read from (see nightly.WarehouseReader).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from setup_journeys.vocabulary import load as load_vocabulary

# The one stalled-help rule the checks know by name: only it carries a reminder number.
STALLED_HELP_STEP = "stalled_setup_help"

# Columns the sync tool maps, whatever else the export carries (SPEC section 6 plus the fixed
# personalisation columns). The full ordered list comes from the model's documented contract.
EXPORT_REQUIRED_COLUMNS: tuple[str, ...] = (
    "sync_key",
    "account_id",
    "integration_type",
    "journey_step",
    "reminder_number",
    "recipient_user_id",
    "recipient_email",
    "channel",
    "due_at",
    "expires_at",
    "template_id",
    "priority",
    "workspace_name",
    "integration_display_name",
    "error_code",
    "error_class",
    "as_of",
)
SUPPRESSION_REQUIRED_COLUMNS: tuple[str, ...] = (
    "sync_key",
    "account_id",
    "integration_type",
    "journey_step",
    "reminder_number",
    "recipient_user_id",
    "suppression_reason",
)

LIFT_STATUSES: tuple[str, ...] = ("ok", "insufficient_data", "holdout_received_messages")

# Tables the gate reads, in the order they are reported.
CHECKED_TABLES: tuple[str, ...] = (
    "export_journey_due",
    "journey_suppressions",
    "account_integration_state",
    "account_setup_state",
    "friction_segments",
    "setup_funnel",
)
# The journey-impact marts (issue 13): checked before the HTML report is written from them
# (report.py), not part of the export's publishing gate.
IMPACT_TABLES: tuple[str, ...] = (
    "journey_message_outcomes",
    "journey_lift",
    "integration_status_confusion",
)


@dataclass(frozen=True)
class CheckFailure:
    """One expectation that did not hold (or could not run) on one table."""

    table: str
    expectation: str
    column: str | None
    unexpected_count: int | None
    sample: list[Any] = field(default_factory=list)
    error: str | None = None

    def describe(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        if self.error:
            detail = f"could not run: {self.error}"
        elif self.unexpected_count is not None:
            detail = f"{self.unexpected_count} unexpected value(s), e.g. {self.sample[:3]}"
        elif self.sample:
            detail = f"differs: {self.sample[:3]}"
        else:
            detail = "failed"
        return f"{where}: {self.expectation} {detail}"


@dataclass(frozen=True)
class CheckResult:
    """Outcome of the checkpoint: which expectations failed on which table."""

    success: bool
    failures: list[CheckFailure]
    expectations_run: int
    rows_checked: dict[str, int]

    def describe(self) -> str:
        if self.success:
            return f"{self.expectations_run} data checks passed on {len(self.rows_checked)} tables"
        return f"{len(self.failures)} of {self.expectations_run} data checks failed: " + "; ".join(
            failure.describe() for failure in self.failures
        )


def build_suites(
    as_of: datetime, export_columns: Sequence[str] | None = None
) -> dict[str, list[Any]]:
    """The expectations per table. export_columns: the contract's ordered column list, when known."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    as_of_ts = pd.Timestamp(as_of)
    # Every value set comes from the seeds (setup_journeys.vocabulary): the checks accept exactly
    # what the dbt tests accept, so a value the models may emit is never refused here alone.
    vocabulary = load_vocabulary()
    steps = list(vocabulary.step_names)
    internal_steps = list(vocabulary.internal_steps)
    user_channels = sorted({vocabulary.channel_of(step) for step in steps if step not in internal_steps})
    internal_channels = sorted({vocabulary.channel_of(step) for step in internal_steps})
    export = [
        gxe.ExpectTableColumnsToMatchSet(column_set=list(EXPORT_REQUIRED_COLUMNS), exact_match=False),
        gxe.ExpectColumnValuesToNotBeNull(column="sync_key"),
        gxe.ExpectColumnValuesToBeUnique(column="sync_key"),
        gxe.ExpectColumnValuesToNotBeNull(column="account_id"),
        gxe.ExpectColumnValuesToBeInSet(column="journey_step", value_set=steps),
        gxe.ExpectColumnValuesToNotBeNull(column="journey_step"),
        gxe.ExpectColumnValuesToBeInSet(column="channel", value_set=list(vocabulary.channels)),
        gxe.ExpectColumnValuesToNotBeNull(column="channel"),
        # Only internal steps go to no user; every user-facing row names its recipient.
        gxe.ExpectColumnValuesToNotBeNull(
            column="recipient_user_id", row_condition=Column("journey_step").is_not_in(internal_steps)
        ),
        gxe.ExpectColumnValuesToNotBeNull(column="due_at"),
        gxe.ExpectColumnValuesToBeBetween(column="due_at", max_value=as_of_ts),
        gxe.ExpectColumnValuesToBeBetween(column="reminder_number", min_value=1, max_value=3),
        gxe.ExpectColumnValuesToBeNull(
            column="reminder_number", row_condition=Column("journey_step") != STALLED_HELP_STEP
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="reminder_number", row_condition=Column("journey_step") == STALLED_HELP_STEP
        ),
        # Internal steps, and only they, go to the internal channel(s) (journey_steps.channel).
        gxe.ExpectColumnValuesToBeInSet(
            column="channel", value_set=internal_channels, row_condition=Column("journey_step").is_in(internal_steps)
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="channel", value_set=user_channels, row_condition=Column("journey_step").is_not_in(internal_steps)
        ),
        gxe.ExpectColumnValuesToNotBeNull(column="expires_at"),
        gxe.ExpectColumnValuesToBeBetween(column="expires_at", min_value=as_of_ts),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="expires_at", column_B="due_at", or_equal=True),
        gxe.ExpectColumnValuesToBeBetween(
            column="priority",
            min_value=min(step.priority for step in vocabulary.journey_steps),
            max_value=max(step.priority for step in vocabulary.journey_steps),
        ),
        gxe.ExpectColumnValuesToNotBeNull(column="priority"),
        gxe.ExpectColumnValuesToNotBeNull(column="template_id"),
    ]
    if export_columns:
        export.insert(0, gxe.ExpectTableColumnsToMatchOrderedList(column_list=list(export_columns)))
    suppressions = [
        gxe.ExpectTableColumnsToMatchSet(column_set=list(SUPPRESSION_REQUIRED_COLUMNS), exact_match=False),
        gxe.ExpectColumnValuesToNotBeNull(column="suppression_reason"),
        gxe.ExpectColumnValuesToBeInSet(column="suppression_reason", value_set=list(vocabulary.suppression_reasons)),
        gxe.ExpectColumnValuesToBeInSet(column="journey_step", value_set=steps),
    ]
    integration_state = [
        gxe.ExpectColumnValuesToNotBeNull(column="account_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="integration_type"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["account_id", "integration_type"]),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=list(vocabulary.setup_statuses)),
        gxe.ExpectColumnValuesToNotBeNull(column="status"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="completed_at",
            column_B="started_at",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    ]
    setup_state = [
        gxe.ExpectColumnValuesToNotBeNull(column="account_id"),
        gxe.ExpectColumnValuesToBeUnique(column="account_id"),
        gxe.ExpectColumnValuesToBeInSet(column="setup_stage", value_set=list(vocabulary.setup_stages)),
        gxe.ExpectColumnValuesToNotBeNull(column="setup_stage"),
    ]
    segments = [
        gxe.ExpectColumnValuesToBeInSet(column="segment", value_set=list(vocabulary.friction_segments)),
        gxe.ExpectColumnValuesToNotBeNull(column="segment"),
        gxe.ExpectColumnValuesToNotBeNull(column="entered_at"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["account_id", "integration_type", "segment"]),
    ]
    funnel = [
        gxe.ExpectColumnValuesToNotBeNull(column="step_number"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="setups_started",
            column_B="setups_reached",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        gxe.ExpectColumnValuesToBeBetween(column="conversion_from_start", min_value=0, max_value=1),
    ]
    outcomes = [
        gxe.ExpectColumnValuesToNotBeNull(column="message_id"),
        gxe.ExpectColumnValuesToBeUnique(column="message_id"),
        gxe.ExpectColumnValuesToBeInSet(column="journey_step", value_set=steps),
        gxe.ExpectColumnValuesToBeBetween(column="holdout_bucket", min_value=0, max_value=99),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="attribution_ends_at", column_B="sent_at", or_equal=True, ignore_row_if="either_value_is_missing"
        ),
        gxe.ExpectColumnValuesToBeBetween(column="minutes_to_next_progress", min_value=0),
    ]
    lift = [
        gxe.ExpectColumnValuesToBeInSet(column="lift_status", value_set=list(LIFT_STATUSES)),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["breakdown", "journey_step", "integration_type", "plan_tier"]),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="treatment_setups", column_B="treatment_completed", or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="holdout_setups", column_B="holdout_completed", or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    ]
    for rate in ("completion", "activation"):
        lift += [
            gxe.ExpectColumnValuesToBeBetween(column=f"treatment_{rate}_rate", min_value=0, max_value=1),
            gxe.ExpectColumnValuesToBeBetween(column=f"holdout_{rate}_rate", min_value=0, max_value=1),
            # The interval contains its estimate.
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=f"{rate}_rate_lift_ci_upper", column_B=f"{rate}_rate_lift", or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=f"{rate}_rate_lift", column_B=f"{rate}_rate_lift_ci_lower", or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
        ]
    confusion = [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["integration_type", "category", "setup_path", "cohort_week"]),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="setups_started", column_B="setups_ui_flow_completed", or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="setups_ui_flow_completed", column_B="setups_ui_flow_completed_not_usable", or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        gxe.ExpectColumnValuesToBeBetween(column="status_view_confusion_rate", min_value=0, max_value=1),
    ]
    return {
        "journey_message_outcomes": outcomes,
        "journey_lift": lift,
        "integration_status_confusion": confusion,
        "export_journey_due": export,
        "journey_suppressions": suppressions,
        "account_integration_state": integration_state,
        "account_setup_state": setup_state,
        "friction_segments": segments,
        "setup_funnel": funnel,
    }


def _ephemeral_context() -> Any:
    """An in-memory great-expectations context: no files written, no analytics, no progress bars."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _failures_of(table: str, validation: Any) -> list[CheckFailure]:
    failures = []
    for result in validation.results:
        if result.success:
            continue
        config = result.expectation_config
        kwargs = config.kwargs
        if config.type.startswith("expect_table_"):
            column = None  # about the table's columns as a whole, not some columns' values
        else:
            names = [kwargs.get("column")] if kwargs.get("column") else kwargs.get("column_list") or [
                kwargs.get("column_A"),
                kwargs.get("column_B"),
            ]
            column = ", ".join(name for name in names if name) or None
        raised = (result.exception_info or {}).get("raised_exception")
        details = result.result or {}
        failures.append(
            CheckFailure(
                table=table,
                expectation=config.type,
                column=column,
                unexpected_count=details.get("unexpected_count"),
                sample=_sample(details),
                error=str((result.exception_info or {}).get("exception_message")) if raised else None,
            )
        )
    return failures


def _sample(details: Mapping[str, Any]) -> list[Any]:
    """A few offending values; for a table-level expectation, where the observed columns differ."""
    values = details.get("partial_unexpected_list")
    if values is None and isinstance(details.get("details"), Mapping):
        mismatched = details["details"].get("mismatched")
        values = mismatched if isinstance(mismatched, list) else [mismatched] if mismatched else []
    return [_plain(value) for value in values or []][:5]


def _plain(value: Any) -> Any:
    """Sample values as plain Python, so messages and JSON stay readable."""
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def run_checks(
    frames: Mapping[str, pd.DataFrame],
    *,
    as_of: datetime,
    export_columns: Sequence[str] | None = None,
    tables: Sequence[str] = CHECKED_TABLES,
) -> CheckResult:
    """Run one great-expectations checkpoint over the given tables; a missing table is a failure."""
    import great_expectations as gx

    suites = build_suites(as_of, export_columns)
    failures: list[CheckFailure] = []
    missing = [table for table in tables if table not in frames]
    failures += [
        CheckFailure(table, "table_exists", None, None, error="the table is not in the warehouse (is its model built?)")
        for table in missing
    ]
    present = [table for table in tables if table in frames]
    expectations_run = len(missing)
    with warnings.catch_warnings():
        # great-expectations 1.x warns about its own internals (pydantic, pandas); not ours to act on.
        warnings.simplefilter("ignore")
        context = _ephemeral_context()
        datasource = context.data_sources.add_pandas("nightly")
        definitions = []
        for table in present:
            batch = datasource.add_dataframe_asset(table).add_batch_definition_whole_dataframe("whole_table")
            suite = context.suites.add(gx.ExpectationSuite(name=table))
            for expectation in suites[table]:
                suite.add_expectation(expectation)
            expectations_run += len(suites[table])
            definitions.append(
                context.validation_definitions.add(gx.ValidationDefinition(name=table, data=batch, suite=suite))
            )
        # A checkpoint's batch_parameters go to every validation it holds, and each table is its own
        # DataFrame, so each table gets a checkpoint of its own validation definition.
        for definition in definitions:
            checkpoint = context.checkpoints.add(
                gx.Checkpoint(name=f"nightly_{definition.name}", validation_definitions=[definition])
            )
            result = checkpoint.run(batch_parameters={"dataframe": frames[definition.name]})
            for validation in result.run_results.values():
                failures += _failures_of(definition.name, validation)
    return CheckResult(
        success=not failures,
        failures=failures,
        expectations_run=expectations_run,
        rows_checked={table: len(frames[table]) for table in present},
    )
