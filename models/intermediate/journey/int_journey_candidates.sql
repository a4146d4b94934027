{#-
    Every journey message that is due as of as_of BEFORE the guardrails (SPEC 6, "Journey
    steps"): one row per setup, step and recipient (and per error_code, reminder or alert reason
    where the step says so), with its sync_key and the personalisation and hand-off columns.
    Setups of accounts known to raw.accounts only. A completed setup stays in the candidates
    only while its success handoff is current (completed within success_handoff_within_days),
    so that the exit guardrail records what the completion cancelled without the suppressions
    growing with every setup ever completed. Reads one row per setup, users and seeds; the
    only finer input is the per-code repeated-errors rule (int_setup_errors_after_progress). A table: the
    guardrails and several tests read it, and a view would recompute it for each.
-#}
{{ config(materialized='table') }}

{%- set as_of = as_of_literal() -%}

with

setup_state as (

    select * from {{ ref('int_setup_state') }}

),

accounts as (

    select * from {{ ref('stg_raw__accounts') }}

),

users as (

    select * from {{ ref('stg_raw__users') }}

),

repeated_errors as (

    select * from {{ ref('int_setup_errors_after_progress') }}
    where is_repeated

),

journey_steps as (

    select * from {{ ref('journey_steps') }}

),

next_actions as (

    select * from {{ ref('journey_next_actions') }}

),

setups as (

    select
        setup_state.*,
        accounts.account_name,
        accounts.plan_tier
    from setup_state
    inner join accounts
        on setup_state.account_id = accounts.account_id
    where
        not setup_state.is_completed
        or setup_state.completed_at >= {{ threshold_before('success_handoff_within_days', as_of) }}

),

success_handoff as (

    -- 1. Completed within the last success_handoff_within_days; to the starter (else the completer).
    select
        account_id,
        integration_type,
        'setup_success_handoff' as journey_step,
        coalesce(starter_user_id, completed_by_user_id) as recipient_user_id,
        cast(null as integer) as reminder_number,
        cast(null as {{ dbt.type_string() }}) as troubleshooting_error_code,
        cast(null as {{ dbt.type_string() }}) as troubleshooting_error_class,
        cast(null as {{ dbt.type_string() }}) as alert_reason,
        completed_at as due_at,
        {{ threshold_after('message_max_age_hours', 'completed_at') }} as expires_at
    from setups
    where is_completed

),

troubleshooting as (

    -- 2. The repeated_errors rule, once per setup and error_code; to the actor of the latest
    -- error of that code (else the starter); due when the repeat happened.
    select
        setups.account_id,
        setups.integration_type,
        'repeated_failure_troubleshooting' as journey_step,
        coalesce(repeated_errors.last_error_user_id, setups.starter_user_id) as recipient_user_id,
        cast(null as integer) as reminder_number,
        repeated_errors.error_code as troubleshooting_error_code,
        repeated_errors.error_class as troubleshooting_error_class,
        cast(null as {{ dbt.type_string() }}) as alert_reason,
        repeated_errors.repeated_at as due_at,
        {{ threshold_after('message_max_age_hours', 'repeated_errors.repeated_at') }} as expires_at
    from setups
    inner join repeated_errors
        on
            setups.account_id = repeated_errors.account_id
            and setups.integration_type = repeated_errors.integration_type

),

account_admins as (

    select
        account_id,
        user_id
    from users
    where is_admin

),

admin_escalation as (

    -- 3. The needs_admin rule; one row per admin of the account, never the starter. An account
    -- without any other admin keeps one row with no recipient (suppressed as no_recipient), so
    -- the trapped setup stays visible.
    select
        setups.account_id,
        setups.integration_type,
        'admin_escalation' as journey_step,
        account_admins.user_id as recipient_user_id,
        cast(null as integer) as reminder_number,
        cast(null as {{ dbt.type_string() }}) as troubleshooting_error_code,
        cast(null as {{ dbt.type_string() }}) as troubleshooting_error_class,
        cast(null as {{ dbt.type_string() }}) as alert_reason,
        setups.needs_admin_since as due_at,
        {{ threshold_after('message_max_age_hours', 'setups.needs_admin_since') }} as expires_at
    from setups
    left join account_admins
        on
            setups.account_id = account_admins.account_id
            and (setups.starter_user_id is null or setups.starter_user_id <> account_admins.user_id)
    where setups.is_admin_needed

),

started_confirmation as (

    -- 4. From confirmation_after_minutes to confirmation_until_hours after started_at; to the starter.
    select
        account_id,
        integration_type,
        'setup_started_confirmation' as journey_step,
        starter_user_id as recipient_user_id,
        cast(null as integer) as reminder_number,
        cast(null as {{ dbt.type_string() }}) as troubleshooting_error_code,
        cast(null as {{ dbt.type_string() }}) as troubleshooting_error_class,
        cast(null as {{ dbt.type_string() }}) as alert_reason,
        {{ threshold_after('confirmation_after_minutes', 'started_at') }} as due_at,
        {{ threshold_after('confirmation_max_age_hours', threshold_after('confirmation_after_minutes', 'started_at')) }} as expires_at
    from setups
    where
        started_at is not null
        and {{ as_of }} >= {{ threshold_after('confirmation_after_minutes', 'started_at') }}
        and {{ as_of }} <= {{ threshold_after('confirmation_until_hours', 'started_at') }}

),

stalled_reminders as (

    -- 5. Reminder n when the path's n-th window has elapsed since last progress; the highest only.
    select
        setups.*,
        case
            {%- for reminder in [3, 2, 1] %}
            when {{ as_of }} >= {{ dbt.dateadd('minute', 'reminder_' ~ reminder ~ '_minutes', 'last_progress_at') }}
                then {{ reminder }}
            {%- endfor %}
        end as elapsed_reminder_number
    from setups
    where
        last_progress_at is not null
        -- A journey stops cleanly: an abandoned setup gets no more reminders (the internal
        -- alert takes over where it applies).
        and status <> 'abandoned'

),

stalled_due as (

    select
        stalled_reminders.*,
        case
            {%- for reminder in [1, 2, 3] %}
            when elapsed_reminder_number = {{ reminder }}
                then {{ dbt.dateadd('minute', 'reminder_' ~ reminder ~ '_minutes', 'last_progress_at') }}
            {%- endfor %}
        end as reminder_due_at
    from stalled_reminders
    where elapsed_reminder_number is not null

),

stalled_help as (

    select
        account_id,
        integration_type,
        'stalled_setup_help' as journey_step,
        starter_user_id as recipient_user_id,
        cast(elapsed_reminder_number as integer) as reminder_number,
        cast(null as {{ dbt.type_string() }}) as troubleshooting_error_code,
        cast(null as {{ dbt.type_string() }}) as troubleshooting_error_class,
        cast(null as {{ dbt.type_string() }}) as alert_reason,
        reminder_due_at as due_at,
        -- Stale stalled_help_max_age_windows times the path's last reminder window after it became
        -- due: reminders 1 and 2 are replaced by the next one long before, so this ends the series.
        {{ dbt.dateadd(
            'second',
            'reminder_3_minutes * ' ~ (setting('stalled_help_max_age_windows') * 60) | int,
            'reminder_due_at'
        ) }} as expires_at
    from stalled_due

),

internal_alerts as (

    -- 6. High-value accounts in repeated_errors or abandoned, once per setup and reason.
    select
        account_id,
        integration_type,
        'internal_cs_alert' as journey_step,
        cast(null as {{ dbt.type_string() }}) as recipient_user_id,
        cast(null as integer) as reminder_number,
        cast(null as {{ dbt.type_string() }}) as troubleshooting_error_code,
        cast(null as {{ dbt.type_string() }}) as troubleshooting_error_class,
        'repeated_errors' as alert_reason,
        repeated_errors_since as due_at,
        {{ threshold_after('message_max_age_hours', 'repeated_errors_since') }} as expires_at
    from setups
    where
        has_repeated_errors
        and plan_tier in {{ sql_list(var('high_value_plan_tiers')) }}

    union all

    select
        account_id,
        integration_type,
        'internal_cs_alert' as journey_step,
        cast(null as {{ dbt.type_string() }}) as recipient_user_id,
        cast(null as integer) as reminder_number,
        cast(null as {{ dbt.type_string() }}) as troubleshooting_error_code,
        cast(null as {{ dbt.type_string() }}) as troubleshooting_error_class,
        'abandoned' as alert_reason,
        abandoned_at as due_at,
        {{ threshold_after('message_max_age_hours', 'abandoned_at') }} as expires_at
    from setups
    where
        status = 'abandoned'
        and plan_tier in {{ sql_list(var('high_value_plan_tiers')) }}

),

unioned as (

    select * from success_handoff
    union all
    select * from troubleshooting
    union all
    select * from admin_escalation
    union all
    select * from started_confirmation
    union all
    select * from stalled_help
    union all
    select * from internal_alerts

),

final as (

    select
        {{ stable_hash([
            'unioned.account_id',
            'unioned.integration_type',
            'unioned.journey_step',
            "coalesce(unioned.recipient_user_id, case when not journey_steps.is_user_facing then 'internal' end)",
            "case when unioned.journey_step = 'stalled_setup_help' then setups.next_required_step end",
            'unioned.reminder_number',
            'unioned.troubleshooting_error_code',
            'unioned.alert_reason',
        ]) }} as sync_key,
        unioned.account_id,
        unioned.integration_type,
        unioned.journey_step,
        unioned.reminder_number,
        unioned.recipient_user_id,
        recipients.email as recipient_email,
        recipients.role as recipient_role,
        recipients.user_id is not null as is_recipient_known,
        coalesce(recipients.is_email_opt_out, false) as is_recipient_opted_out,
        journey_steps.channel,
        journey_steps.template_id,
        journey_steps.priority,
        journey_steps.is_user_facing,
        journey_steps.is_held_while_in_session,
        unioned.due_at,
        unioned.expires_at,
        setups.account_name as workspace_name,
        setups.plan_tier,
        setups.display_name as integration_display_name,
        setups.setup_path,
        setups.status as setup_status,
        setups.is_completed,
        setups.last_reached_step as last_completed_step,
        setups.next_required_step,
        next_actions.next_action,
        case
            when unioned.journey_step = 'repeated_failure_troubleshooting' then unioned.troubleshooting_error_code
            when unioned.journey_step <> 'setup_success_handoff' then setups.last_error_code
        end as error_code,
        case
            when unioned.journey_step = 'repeated_failure_troubleshooting' then unioned.troubleshooting_error_class
            when unioned.journey_step <> 'setup_success_handoff' then setups.last_error_class
        end as error_class,
        setups.last_environment as environment,
        setups.last_progress_at,
        setups.last_event_at,
        unioned.alert_reason,
        case when unioned.journey_step = 'internal_cs_alert' then setups.starter_role end as starter_role,
        case when unioned.journey_step = 'internal_cs_alert' then setups.restart_count end as restart_count,
        case when unioned.journey_step = 'internal_cs_alert' then setups.error_count end as error_count,
        case
            when unioned.journey_step = 'internal_cs_alert' then setups.reconnect_attempt_count
        end as reconnect_attempt_count,
        case when unioned.journey_step = 'internal_cs_alert' then setups.docs_view_count end as docs_view_count,
        case
            when unioned.journey_step = 'internal_cs_alert' then setups.messages_sent_count
        end as messages_sent_count,
        case
            when unioned.journey_step = 'internal_cs_alert' then setups.last_message_journey_step
        end as last_message_journey_step,
        {{ as_of }} as as_of
    from unioned
    inner join setups
        on
            unioned.account_id = setups.account_id
            and unioned.integration_type = setups.integration_type
    left join journey_steps
        on unioned.journey_step = journey_steps.journey_step
    left join users as recipients
        on unioned.recipient_user_id = recipients.user_id
    left join next_actions
        on coalesce(setups.next_required_step, '__completed__') = next_actions.next_required_step

)

select * from final
