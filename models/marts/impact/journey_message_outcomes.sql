{#-
    One row per message in raw.message_sends (sent by as_of): the setup's state when it was sent
    and what followed. Attribution: a message is credited with what its setup did after sent_at,
    up to message_outcome_window_hours later (message_error_recurrence_window_hours for the error
    recurring), and only until the next message of the same setup was sent - from then on the
    next message gets the credit. Account-level events (support tickets, workflow_launched with
    no integration) count for every setup of the account. Documented in _impact__docs.md.
-#}
{%- set as_of = as_of_literal() -%}
{%- set event_order = ['events.occurred_at', 'events.step_sort_order', 'events.event_id'] -%}
{%- set success_events = "('test_event_sent', 'first_api_call_success', 'sync_completed', 'sending_enabled')" -%}

with

message_sends as (

    select * from {{ ref('stg_raw__message_sends') }}
    where sent_at <= {{ as_of }}

),

events as (

    select * from {{ ref('int_setup_events_enriched') }}
    where occurred_at <= {{ as_of }}

),

setups as (

    select * from {{ ref('time_to_connect') }}

),

paths as (

    select * from {{ ref('int_setup_path_steps_pivoted') }}

),

sends_bounded as (

    select
        message_sends.*,
        lead(message_sends.sent_at) over (
            partition by message_sends.account_id, message_sends.integration_type
            order by message_sends.sent_at, message_sends.message_id
        ) as next_message_sent_at,
        {{ dbt.dateadd('minute', (setting('message_outcome_window_hours') * 60) | int, 'message_sends.sent_at') }}
            as outcome_window_ends_at,
        {{ dbt.dateadd('minute', (setting('message_error_recurrence_window_hours') * 60) | int, 'message_sends.sent_at') }}
            as error_window_ends_at
    from message_sends

),

state_at_send as (

    select
        sends_bounded.message_id,
        max(events.step_number) as reached_step_number_at_send,
        max(case when events.is_completion_step then 1 else 0 end) = 1 as is_completed_at_send,
        sum(case when events.is_error then 1 else 0 end) as errors_before_send,
        {{ arg_max_by('events.error_code', event_order, 'events.is_error') }} as last_error_code_at_send,
        max(events.occurred_at) as last_event_before_send_at
    from sends_bounded
    inner join events
        on
            sends_bounded.account_id = events.account_id
            and sends_bounded.integration_type = events.integration_type
            and sends_bounded.sent_at >= events.occurred_at
    group by sends_bounded.message_id

),

sends_with_state as (

    select
        sends_bounded.*,
        coalesce(state_at_send.reached_step_number_at_send, 0) as reached_step_number_at_send,
        coalesce(state_at_send.is_completed_at_send, false) as is_completed_at_send,
        coalesce(state_at_send.errors_before_send, 0) as errors_before_send,
        state_at_send.last_error_code_at_send,
        state_at_send.last_event_before_send_at,
        -- The credit ends at the next message of the setup, the window's end or as_of.
        {{ least_not_null(['sends_bounded.next_message_sent_at', 'sends_bounded.outcome_window_ends_at', as_of]) }}
            as attribution_ends_at
    from sends_bounded
    left join state_at_send
        on sends_bounded.message_id = state_at_send.message_id

),

credited_events as (

    select
        sends_with_state.message_id,
        events.event_name,
        events.occurred_at,
        events.step_number,
        events.is_completion_step,
        events.is_error,
        events.error_code,
        events.integration_type,
        events.occurred_at <= sends_with_state.error_window_ends_at as is_within_error_window,
        events.step_number > sends_with_state.reached_step_number_at_send as is_progress
    from sends_with_state
    inner join events
        on
            sends_with_state.account_id = events.account_id
            and (
                sends_with_state.integration_type = events.integration_type
                or events.integration_type is null
            )
            and sends_with_state.sent_at < events.occurred_at
            and sends_with_state.attribution_ends_at >= events.occurred_at
            and (
                sends_with_state.next_message_sent_at is null
                or sends_with_state.next_message_sent_at > events.occurred_at
            )

),

followed as (

    select
        credited_events.message_id,
        max(case when credited_events.is_progress then credited_events.step_number end) as progressed_to_step_number,
        min(case when credited_events.is_progress then credited_events.occurred_at end) as first_progress_at,
        min(case when credited_events.is_completion_step then credited_events.occurred_at end) as completed_after_send_at,
        sum(case when credited_events.is_error then 1 else 0 end) as errors_after_send,
        min(case when credited_events.event_name in {{ success_events }} then credited_events.occurred_at end)
            as first_test_or_success_at,
        min(case when credited_events.event_name = 'support_ticket_opened' then credited_events.occurred_at end)
            as support_ticket_at,
        min(case when credited_events.event_name = 'workflow_launched' then credited_events.occurred_at end)
            as workflow_launched_at
    from credited_events
    group by credited_events.message_id

),

recurred as (

    select
        sends_with_state.message_id,
        min(credited_events.occurred_at) as error_recurred_at
    from sends_with_state
    inner join credited_events
        on
            sends_with_state.message_id = credited_events.message_id
            and credited_events.is_error
            and credited_events.is_within_error_window
            and sends_with_state.last_error_code_at_send = credited_events.error_code
    group by sends_with_state.message_id

),

joined as (

    select
        sends_with_state.*,
        setups.setup_path,
        setups.step_count,
        setups.plan_tier,
        setups.started_at,
        followed.progressed_to_step_number,
        followed.first_progress_at,
        followed.completed_after_send_at,
        coalesce(followed.errors_after_send, 0) as errors_after_send,
        followed.first_test_or_success_at,
        followed.support_ticket_at,
        followed.workflow_launched_at,
        recurred.error_recurred_at,
        paths.step_1_name,
        paths.step_2_name,
        paths.step_3_name,
        paths.step_4_name
    from sends_with_state
    left join setups
        on
            sends_with_state.account_id = setups.account_id
            and sends_with_state.integration_type = setups.integration_type
    left join paths
        on setups.setup_path = paths.setup_path
    left join followed
        on sends_with_state.message_id = followed.message_id
    left join recurred
        on sends_with_state.message_id = recurred.message_id

),

final as (

    select
        message_id,
        sync_key,
        account_id,
        integration_type,
        user_id,
        journey_step,
        reminder_number,
        sent_at,
        journey_step <> 'internal_cs_alert' as is_user_facing,
        plan_tier,
        setup_path,
        {{ hash_bucket('account_id') }} as holdout_bucket,
        {{ hash_bucket('account_id') }} < {{ setting('lift_holdout_percent') }} as is_holdout_account,
        -- The setup's state when the message was sent.
        reached_step_number_at_send,
        case reached_step_number_at_send
            {%- for step in range(1, 5) %}
            when {{ step }} then step_{{ step }}_name
            {%- endfor %}
        end as reached_step_at_send,
        is_completed_at_send,
        errors_before_send,
        last_error_code_at_send,
        last_event_before_send_at,
        -- The credit window.
        next_message_sent_at,
        attribution_ends_at,
        (next_message_sent_at is not null or outcome_window_ends_at <= {{ as_of }}) as is_outcome_settled,
        -- What followed, within the credit window.
        progressed_to_step_number is not null as has_progressed,
        progressed_to_step_number,
        case progressed_to_step_number
            {%- for step in range(1, 5) %}
            when {{ step }} then step_{{ step }}_name
            {%- endfor %}
        end as progressed_to_step,
        first_progress_at,
        {{ minutes_between('sent_at', 'first_progress_at') }} as minutes_to_next_progress,
        completed_after_send_at is not null and not is_completed_at_send as has_completed,
        case when not is_completed_at_send then completed_after_send_at end as completed_after_send_at,
        errors_after_send,
        error_recurred_at is not null as has_error_recurred,
        error_recurred_at,
        first_test_or_success_at is not null as has_test_event_or_success,
        first_test_or_success_at,
        support_ticket_at is not null as has_support_ticket,
        support_ticket_at,
        workflow_launched_at is not null as has_workflow_launched,
        {{ as_of }} as as_of
    from joined

)

select * from final
