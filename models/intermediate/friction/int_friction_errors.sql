{#-
    Friction rules of the "errors" family (SPEC 6), one row per open setup and segment the rule
    holds for, with entered_at and the evidence the rule counted (segment_error_codes,
    segment_event_count):
    - repeated_errors: the repeated-errors rule of int_setup_errors_after_progress, summarised
      per setup by int_setup_state; counts every error after last progress.
    - the latest-error-class segments: the latest error is after last progress and its class is
      the error_class of a segment in friction_segment_catalog; entered_at is the first error of
      the trailing run of errors of that class after last progress (errors in SPEC event order).
    "After last progress" is decided once, in int_setup_errors_after_progress: the trailing run
    starts after the last error that is before progress or of another class.
-#}
{#- A table: its data tests and its reader would each recompute a view. -#}
{{ config(materialized='table') }}

with

setup_state as (

    select * from {{ ref('int_setup_state') }}

),

errors_after_progress as (

    select * from {{ ref('int_setup_errors_after_progress') }}

),

setup_errors as (

    select * from {{ ref('int_setup_errors_sequenced') }}

),

segment_catalog as (

    select * from {{ ref('friction_segment_catalog') }}

),

open_setups as (

    select * from setup_state
    where not is_completed

),

errors_after_progress_per_setup as (

    -- Errors before progress are numbered below every error after it (event order).
    select
        account_id,
        integration_type,
        {{ sum_of_counts('errors_after_progress_count') }} as errors_after_progress_count,
        min(first_error_number) - 1 as last_error_number_before_progress
    from errors_after_progress
    group by account_id, integration_type

),

repeated_errors as (

    select
        open_setups.account_id,
        open_setups.integration_type,
        'repeated_errors' as segment,
        open_setups.repeated_errors_since as entered_at,
        open_setups.repeated_error_codes as segment_error_codes,
        errors_after_progress_per_setup.errors_after_progress_count as segment_event_count
    from open_setups
    left join errors_after_progress_per_setup
        on
            open_setups.account_id = errors_after_progress_per_setup.account_id
            and open_setups.integration_type = errors_after_progress_per_setup.integration_type
    where open_setups.has_repeated_errors

),

error_class_setups as (

    -- The latest error after last progress has a class the segment catalog maps to a segment.
    select
        open_setups.account_id,
        open_setups.integration_type,
        open_setups.last_error_class,
        segment_catalog.segment,
        errors_after_progress_per_setup.last_error_number_before_progress
    from open_setups
    inner join segment_catalog
        on open_setups.last_error_class = segment_catalog.error_class
    inner join errors_after_progress_per_setup
        on
            open_setups.account_id = errors_after_progress_per_setup.account_id
            and open_setups.integration_type = errors_after_progress_per_setup.integration_type
    where open_setups.is_last_error_after_progress

),

run_breaks as (

    -- The number of the last error that ends the trailing run: the last error before progress,
    -- or the last error after progress of another class than the latest error.
    select
        error_class_setups.account_id,
        error_class_setups.integration_type,
        error_class_setups.segment,
        coalesce(
            max(errors_after_progress.last_error_number),
            error_class_setups.last_error_number_before_progress
        ) as run_break_error_number
    from error_class_setups
    left join errors_after_progress
        on
            error_class_setups.account_id = errors_after_progress.account_id
            and error_class_setups.integration_type = errors_after_progress.integration_type
            and error_class_setups.last_error_class <> errors_after_progress.error_class
    group by
        error_class_setups.account_id,
        error_class_setups.integration_type,
        error_class_setups.segment,
        error_class_setups.last_error_number_before_progress

),

error_class_segments as (

    select
        run_breaks.account_id,
        run_breaks.integration_type,
        run_breaks.segment,
        min(setup_errors.occurred_at) as entered_at,
        {{ ordered_string_agg('setup_errors.error_code', ', ', distinct=true) }}
            as segment_error_codes,
        count(*) as segment_event_count
    from run_breaks
    inner join setup_errors
        on
            run_breaks.account_id = setup_errors.account_id
            and run_breaks.integration_type = setup_errors.integration_type
            and run_breaks.run_break_error_number < setup_errors.error_number
    group by run_breaks.account_id, run_breaks.integration_type, run_breaks.segment

),

final as (

    select * from repeated_errors
    union all
    select * from error_class_segments

)

select * from final
