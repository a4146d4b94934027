{#-
    One row per started setup x journey step it was ELIGIBLE for (intent to treat), with its
    experiment group and outcomes, for journey_lift. Eligibility is the step's trigger having
    become true at some point, from the setup's own history, so treatment and holdout setups
    are selected by the same rule whether or not a message went out:
      all_steps                         every started setup (the overall comparison)
      setup_started_confirmation        not completed within confirmation_after_minutes of the start
      stalled_setup_help                some step waited at least the path's first reminder window
                                        for the next one (or still waits at as_of)
      repeated_failure_troubleshooting  an error repeated its code (int_setup_errors_sequenced's
                                        is_repeat_of_same_code, at any time)
      admin_escalation                  int_setup_state's admin rule (requires admin, a non-admin
                                        started it) reached needs_admin_since before completion
      setup_success_handoff             completed (the outcome that can move is activation)
    Internal CS alerts are not user-facing: the holdout never applied to them.
    Group: holdout when the account's stable hash bucket (0-99) < lift_holdout_percent.
-#}
{#- A table: its data tests and its reader would each recompute a view. Its key is
    (journey_step, account_id, integration_type), and no hash is stored: the table is rewritten
    every night, and at 10M events a hash of the key was a third of the write (2.8-3.1 s -> 1.9-2.1 s
    without it), and then time_to_connect's setup_id, copied here, half of what remained (29 of
    56 MB). messages_sent is cast back to a bigint (a sum of counts is a 128-bit integer on DuckDB). -#}
{{ config(materialized='table') }}

{%- set as_of = as_of_literal() -%}

with

setups as (

    select * from {{ ref('time_to_connect') }}

),

setup_state as (

    select * from {{ ref('int_setup_state') }}

),

errors as (

    select * from {{ ref('int_setup_errors_sequenced') }}

),

message_sends as (

    select * from {{ ref('stg_raw__message_sends') }}
    where
        sent_at <= {{ as_of }}
        and journey_step <> 'internal_cs_alert'

),

repeated_errors as (

    select
        account_id,
        integration_type,
        min(occurred_at) as first_repeated_error_at
    from errors
    where is_repeat_of_same_code
    group by account_id, integration_type

),

messages_per_step as (

    select
        account_id,
        integration_type,
        journey_step,
        count(*) as messages_sent
    from message_sends
    group by account_id, integration_type, journey_step

),

messages_per_setup as (

    select
        account_id,
        integration_type,
        {{ sum_of_counts('messages_sent') }} as messages_sent
    from messages_per_step
    group by account_id, integration_type

),

setups_with_rules as (

    select
        setups.*,
        setup_state.reminder_1_minutes,
        repeated_errors.first_repeated_error_at,
        {{ hash_bucket('setups.account_id') }} as holdout_bucket,
        {{ threshold_after('confirmation_after_minutes', 'setups.started_at') }} as confirmation_due_at,
        -- The admin rule's parts from int_setup_state, without its "not completed at as_of":
        -- eligibility asks whether the rule held at needs_admin_since.
        coalesce(
            setup_state.requires_admin
            and setup_state.starter_user_id is not null
            and not setup_state.is_starter_admin,
            false
        ) as has_non_admin_starter_of_admin_integration,
        setup_state.needs_admin_since,
        -- The longest wait for a next step: from each reached step to the next one (or to as_of).
        greatest(
            {%- for step in range(1, 4) %}
            coalesce(case
                when
                    {{ step }} < setups.step_count
                    and setups.{{ 'started_at' if step == 1 else 'step_' ~ step ~ '_reached_at' }} is not null
                    then {{ minutes_between(
                        'setups.' ~ ('started_at' if step == 1 else 'step_' ~ step ~ '_reached_at'),
                        'coalesce(setups.step_' ~ (step + 1) ~ '_reached_at, ' ~ as_of ~ ')',
                    ) }}
            end, 0){{ ',' if not loop.last }}
            {%- endfor %}
        ) as longest_wait_minutes
    from setups
    inner join setup_state
        on
            setups.account_id = setup_state.account_id
            and setups.integration_type = setup_state.integration_type
    left join repeated_errors
        on
            setups.account_id = repeated_errors.account_id
            and setups.integration_type = repeated_errors.integration_type

),

eligibility as (

    {%- set rules = {
        'all_steps': 'true',
        'setup_started_confirmation':
            'confirmation_due_at <= ' ~ as_of ~ ' and (completed_at is null or completed_at > confirmation_due_at)',
        'stalled_setup_help': 'longest_wait_minutes >= reminder_1_minutes',
        'repeated_failure_troubleshooting': 'first_repeated_error_at is not null',
        'admin_escalation':
            'has_non_admin_starter_of_admin_integration and needs_admin_since <= '
            ~ as_of ~ ' and (completed_at is null or completed_at > needs_admin_since)',
        'setup_success_handoff': 'is_completed',
    } %}
    {%- for journey_step, rule in rules.items() %}
    select
        '{{ journey_step }}' as journey_step,
        setups_with_rules.*
    from setups_with_rules
    where {{ rule }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        eligibility.journey_step,
        eligibility.account_id,
        eligibility.integration_type,
        eligibility.plan_tier,
        eligibility.cohort_week,
        eligibility.holdout_bucket,
        case
            when eligibility.holdout_bucket < {{ setting('lift_holdout_percent') }} then 'holdout' else 'treatment'
        end as experiment_group,
        eligibility.is_completed_within_window,
        eligibility.is_window_open,
        case when eligibility.is_completed_within_window then eligibility.minutes_to_complete end
            as minutes_to_complete_within_window,
        eligibility.is_account_activated,
        cast(coalesce(case
            when eligibility.journey_step = 'all_steps' then messages_per_setup.messages_sent
            else messages_per_step.messages_sent
        end, 0) as {{ dbt.type_bigint() }}) as messages_sent
    from eligibility
    left join messages_per_setup
        on
            eligibility.account_id = messages_per_setup.account_id
            and eligibility.integration_type = messages_per_setup.integration_type
    left join messages_per_step
        on
            eligibility.account_id = messages_per_step.account_id
            and eligibility.integration_type = messages_per_step.integration_type
            and eligibility.journey_step = messages_per_step.journey_step

)

select * from final
