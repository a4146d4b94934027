{#-
    Visible error events of each setup, each with the previous error of the same code in the
    same setup (lag over a partition: linear, no self-join). Feeds repeated_errors and the
    troubleshooting journey. A table: errors are a few percent of events, and the setup state,
    the journey and their tests all read it (a view would rescan every event for each).
-#}
{{ config(materialized='table') }}

with

errors as (

    select * from {{ ref('int_setup_events_enriched') }}
    where
        is_error
        and occurred_at <= {{ as_of_literal() }}

),

sequenced as (

    select
        account_id,
        integration_type,
        event_id,
        error_code,
        error_class,
        user_id,
        occurred_at,
        row_number() over (
            partition by account_id, integration_type
            order by occurred_at, step_sort_order, event_id
        ) as error_number,
        lag(occurred_at) over (
            partition by account_id, integration_type, error_code
            order by occurred_at, step_sort_order, event_id
        ) as previous_same_code_at,
        row_number() over (
            partition by account_id, integration_type, error_code
            order by occurred_at, step_sort_order, event_id
        ) as same_code_number
    from errors

),

hours_measured as (

    select
        sequenced.*,
        {{ dbt.datediff('previous_same_code_at', 'occurred_at', 'second') }}
        / 3600.0 as hours_since_previous_same_code
    from sequenced

),

final as (

    -- The repeat rule's one home: the same code again within repeated_error_window_hours.
    select
        hours_measured.*,
        coalesce(
            hours_measured.hours_since_previous_same_code <= {{ setting('repeated_error_window_hours') }}, false
        ) as is_repeat_of_same_code
    from hours_measured

)

select * from final
