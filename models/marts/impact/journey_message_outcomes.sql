{#-
    One row per message in raw.message_sends (sent by as_of): the setup's state when it was sent
    and what followed, from int_journey_message_outcomes (the attribution rules and the events,
    incremental by account), with the setup's current attributes (time_to_connect), the step
    names of its path and the experiment group. Documented in _impact__docs.md.
-#}
{%- set as_of = as_of_literal() -%}

with

outcomes as (

    select * from {{ ref('int_journey_message_outcomes') }}

),

setups as (

    select * from {{ ref('time_to_connect') }}

),

paths as (

    select * from {{ ref('int_setup_path_steps_pivoted') }}

),

joined as (

    select
        outcomes.*,
        setups.setup_path,
        setups.step_count,
        setups.plan_tier,
        setups.started_at,
        paths.step_1_name,
        paths.step_2_name,
        paths.step_3_name,
        paths.step_4_name
    from outcomes
    left join setups
        on
            outcomes.account_id = setups.account_id
            and outcomes.integration_type = setups.integration_type
    left join paths
        on setups.setup_path = paths.setup_path

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
        is_outcome_settled,
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
