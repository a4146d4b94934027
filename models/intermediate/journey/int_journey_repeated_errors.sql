{#-
    One row per setup and error_code in the repeated_errors rule (SPEC 6): two errors with the
    same code <= repeated_error_window_hours apart, the later one after last progress. The
    rule text is the one of int_setup_state (which keeps only a per-setup summary); the
    troubleshooting journey needs one message per code, with its own actor and time. Reads the
    error events only (int_setup_errors_sequenced) and one row per setup.
-#}
with

errors as (

    select * from {{ ref('int_setup_errors_sequenced') }}

),

setup_state as (

    select * from {{ ref('int_setup_state') }}

),

errors_after_progress as (

    select
        errors.account_id,
        errors.integration_type,
        errors.error_code,
        errors.error_class,
        errors.event_id,
        errors.user_id,
        errors.occurred_at,
        errors.hours_since_previous_same_code <= {{ setting('repeated_error_window_hours') }} as is_repeat
    from errors
    inner join setup_state
        on
            errors.account_id = setup_state.account_id
            and errors.integration_type = setup_state.integration_type
    where setup_state.last_progress_at is null or errors.occurred_at > setup_state.last_progress_at

),

per_code as (

    select
        account_id,
        integration_type,
        error_code,
        max(error_class) as error_class,
        -- When the rule first became true for this code: the later error of the first pair.
        min(case when is_repeat then occurred_at end) as repeated_at,
        max(occurred_at) as last_error_at,
        count(*) as errors_after_progress_count,
        {{ arg_max_by('user_id', ['occurred_at', 'event_id'], 'user_id is not null') }} as last_error_user_id
    from errors_after_progress
    group by account_id, integration_type, error_code

),

final as (

    select * from per_code
    where repeated_at is not null

)

select * from final
