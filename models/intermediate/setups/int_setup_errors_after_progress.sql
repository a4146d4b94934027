{#-
    One row per setup and error_code with at least one visible error after the setup's last
    progress, and the repeated-errors rule (SPEC 6) for that code: two errors with the same code
    at most repeated_error_window_hours apart, the later one after last progress. The one home of
    both rules: int_setup_state summarises it per setup, the troubleshooting journey sends one
    message per repeated code, and the friction error segments read it. A table: three models
    read it, and it is a few rows per setup.
-#}
{{ config(materialized='table') }}

with

errors as (

    select * from {{ ref('int_setup_errors_sequenced') }}

),

progress as (

    select * from {{ ref('int_setup_progress') }}

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
        errors.error_number,
        errors.is_repeat_of_same_code as is_repeat
    from errors
    inner join progress
        on
            errors.account_id = progress.account_id
            and errors.integration_type = progress.integration_type
    where {{ is_after_progress('errors.occurred_at', 'progress.last_progress_at') }}

),

per_code as (

    select
        account_id,
        integration_type,
        error_code,
        max(error_class) as error_class,
        count(*) as errors_after_progress_count,
        min(occurred_at) as first_error_at,
        max(occurred_at) as last_error_at,
        min(error_number) as first_error_number,
        max(error_number) as last_error_number,
        {{ arg_max_by('user_id', ['occurred_at', 'event_id'], 'user_id is not null') }} as last_error_user_id,
        count(case when is_repeat then 1 end) as repeat_count,
        -- When the rule first became true for this code: the later error of the first pair.
        min(case when is_repeat then occurred_at end) as repeated_at,
        max(case when is_repeat then occurred_at end) as last_repeated_at
    from errors_after_progress
    group by account_id, integration_type, error_code

),

final as (

    select
        per_code.*,
        per_code.repeated_at is not null as is_repeated
    from per_code

)

select * from final
