{#-
    The state of every setup as of as_of (SPEC 5): reached_at per step with implied progress
    (a later step implies the earlier ones), completion, last progress, next required step,
    status, the starter, repeated errors and messages already sent. Every account with events
    is here, known to raw.accounts or not; the marts keep the known ones. A table: segments,
    funnel, journey and the marts all read it.
-#}
{{ config(materialized='table') }}

{%- set as_of = as_of_literal() -%}
{#- reached_at(k) = earliest visible event among steps k..4: step_k_columns[k] lists them. -#}
{%- set step_k_columns = {} -%}
{%- for step in range(1, 5) -%}
{%- set columns = [] -%}
{%- for later in range(step, 5) -%}{%- do columns.append('setups.step_' ~ later ~ '_first_at') -%}{%- endfor -%}
{%- do step_k_columns.update({step: columns}) -%}
{%- endfor -%}

with

setups as (

    select * from {{ ref('int_setups_aggregated') }}
    where integration_type is not null

),

catalog as (

    select * from {{ ref('int_integration_catalog_resolved') }}

),

paths as (

    select * from {{ ref('int_setup_path_steps_pivoted') }}

),

errors as (

    select * from {{ ref('int_setup_errors_sequenced') }}

),

users as (

    select * from {{ ref('stg_raw__users') }}

),

message_sends as (

    select * from {{ ref('stg_raw__message_sends') }}
    where sent_at <= {{ as_of }}

),

reached as (

    select
        setups.*,
        catalog.display_name,
        catalog.category,
        catalog.requires_admin,
        catalog.is_missing_from_catalog,
        catalog.reminder_1_minutes,
        catalog.reminder_2_minutes,
        catalog.reminder_3_minutes,
        {%- for step in range(1, 5) %}
        paths.step_{{ step }}_name,
        case
            when {{ step }} <= paths.step_count
                then {{ least_not_null(step_k_columns[step]) }}
        end as step_{{ step }}_reached_at,
        {%- endfor %}
        paths.step_count
    from setups
    left join catalog
        on setups.integration_type = catalog.integration_type
    left join paths
        on setups.setup_path = paths.setup_path

),

progressed as (

    select
        reached.*,
        case
            {%- for step in range(4, 0, -1) %}
            when step_{{ step }}_reached_at is not null then {{ step }}
            {%- endfor %}
            else 0
        end as highest_reached_step
    from reached

),

measured as (

    select
        progressed.*,
        step_1_reached_at as started_at,
        case
            {%- for step in range(1, 5) %}
            when step_count = {{ step }} then step_{{ step }}_reached_at
            {%- endfor %}
        end as completed_at,
        case
            {%- for step in range(1, 5) %}
            when highest_reached_step = {{ step }} then step_{{ step }}_reached_at
            {%- endfor %}
        end as last_progress_at,
        case
            {%- for step in range(1, 5) %}
            when highest_reached_step + 1 = {{ step }} and {{ step }} <= step_count then step_{{ step }}_name
            {%- endfor %}
        end as next_required_step,
        case when highest_reached_step < step_count then highest_reached_step + 1 end as next_required_step_number,
        case
            {%- for step in range(1, 5) %}
            when highest_reached_step = {{ step }} then step_{{ step }}_name
            {%- endfor %}
        end as last_reached_step
    from progressed

),

repeated_errors as (

    -- SPEC 6: two errors with the same code <= repeated_error_window_hours apart, the later one
    -- after last progress.
    select
        errors.account_id,
        errors.integration_type,
        errors.error_code,
        min(errors.occurred_at) as first_repeated_at,
        max(errors.occurred_at) as last_repeated_at,
        {{ arg_max_by('errors.user_id', ['errors.occurred_at', 'errors.event_id'], 'errors.user_id is not null') }}
            as last_repeated_user_id,
        count(*) as repeat_count
    from errors
    inner join measured
        on
            errors.account_id = measured.account_id
            and errors.integration_type = measured.integration_type
    where
        errors.hours_since_previous_same_code <= {{ setting('repeated_error_window_hours') }}
        and (measured.last_progress_at is null or errors.occurred_at > measured.last_progress_at)
    group by errors.account_id, errors.integration_type, errors.error_code

),

repeated_errors_per_setup as (

    select
        account_id,
        integration_type,
        count(*) as repeated_error_code_count,
        min(first_repeated_at) as repeated_errors_since,
        {{ ordered_string_agg('error_code', ', ') }} as repeated_error_codes,
        {{ arg_max_by('error_code', ['last_repeated_at', 'error_code']) }} as latest_repeated_error_code
    from repeated_errors
    group by account_id, integration_type

),

sends as (

    select
        account_id,
        integration_type,
        count(*) as messages_sent_count,
        max(sent_at) as last_message_sent_at,
        {{ arg_max_by('journey_step', ['sent_at', 'message_id']) }} as last_message_journey_step
    from message_sends
    where integration_type is not null
    group by account_id, integration_type

),

final as (

    select
        measured.account_id,
        measured.integration_type,
        measured.display_name,
        measured.category,
        measured.setup_path,
        measured.requires_admin,
        measured.is_missing_from_catalog,
        case
            when measured.started_at is null then 'not_started'
            when measured.completed_at is not null then 'completed'
            -- SPEC 5: no event of the setup for >= abandoned_after_days (exactly at it counts).
            when measured.last_event_at <= {{ dbt.dateadd('minute', (-1 * setting('abandoned_after_days') * 1440) | int, as_of) }}
                then 'abandoned'
            when measured.is_last_event_error then 'blocked'
            else 'in_progress'
        end as status,
        measured.completed_at is not null as is_completed,
        measured.started_at,
        measured.completed_at,
        measured.last_progress_at,
        measured.highest_reached_step,
        measured.last_reached_step,
        measured.next_required_step_number,
        measured.next_required_step,
        measured.step_count,
        {%- for step in range(1, 5) %}
        measured.step_{{ step }}_name,
        measured.step_{{ step }}_reached_at,
        {%- endfor %}
        measured.first_event_at,
        measured.last_event_at,
        measured.last_event_name,
        measured.is_last_event_error,
        measured.event_count,
        measured.error_count,
        measured.distinct_error_code_count,
        measured.first_error_at,
        measured.last_error_at,
        measured.last_error_code,
        measured.last_error_class,
        measured.last_error_user_id,
        measured.last_error_at is not null
        and (measured.last_progress_at is null or measured.last_error_at > measured.last_progress_at)
            as is_last_error_after_progress,
        coalesce(repeated_errors_per_setup.repeated_error_code_count, 0) > 0 as has_repeated_errors,
        repeated_errors_per_setup.repeated_error_codes,
        repeated_errors_per_setup.latest_repeated_error_code,
        repeated_errors_per_setup.repeated_errors_since,
        measured.starter_user_id,
        starter.role as starter_role,
        coalesce(starter.is_admin, false) as is_starter_admin,
        measured.completed_by_user_id,
        measured.initiated_by_role,
        measured.started_on_surface,
        measured.last_environment,
        measured.start_count,
        greatest(measured.start_count - 1, 0) as restart_count,
        measured.reconnect_attempt_count,
        measured.last_reconnect_at,
        measured.docs_view_count,
        measured.last_docs_viewed_at,
        measured.pricing_view_count,
        measured.support_ticket_count,
        measured.status_view_count,
        measured.last_viewed_status,
        measured.setup_flow_completed_count,
        measured.malformed_properties_count,
        coalesce(sends.messages_sent_count, 0) as messages_sent_count,
        sends.last_message_sent_at,
        sends.last_message_journey_step,
        measured.reminder_1_minutes,
        measured.reminder_2_minutes,
        measured.reminder_3_minutes,
        {{ as_of }} as as_of
    from measured
    left join repeated_errors_per_setup
        on
            measured.account_id = repeated_errors_per_setup.account_id
            and measured.integration_type = repeated_errors_per_setup.integration_type
    left join sends
        on
            measured.account_id = sends.account_id
            and measured.integration_type = sends.integration_type
    left join users as starter
        on measured.starter_user_id = starter.user_id

),

with_admin_rule as (

    -- SPEC 6 needs_admin: the integration requires an admin, the starter is not one, and
    -- needs_admin_after_hours have passed since the start (not for completed setups).
    select
        final.*,
        {{ dbt.dateadd('minute', (setting('needs_admin_after_hours') * 60) | int, 'final.started_at') }}
            as needs_admin_since,
        coalesce(
            final.requires_admin
            and final.starter_user_id is not null
            and not final.is_starter_admin
            and not final.is_completed
            and {{ dbt.dateadd('minute', (setting('needs_admin_after_hours') * 60) | int, 'final.started_at') }} <= {{ as_of }},
            false
        ) as is_admin_needed,
        case
            when final.status = 'abandoned'
                then {{ dbt.dateadd('minute', (setting('abandoned_after_days') * 1440) | int, 'final.last_event_at') }}
        end as abandoned_at
    from final

)

select * from with_admin_rule
