{#-
    Evidence for the status-confusion ticket (domain/001): per integration_type x category x
    setup_path x cohort week (Monday of started_at), from the events visible at as_of:
    - UI-flow completions (integration_setup_completed, the flow's last screen) without the
      usable end state (the path's last step) at as_of;
    - reconnect attempts (integration_reconnect_attempted) after the usable end state was
      reached, or while it was still pending (started, not yet completed);
    - status views (integration_status_viewed) by the status shown (connected, pending, error,
      other) and what followed within status_view_followup_hours: a reconnect attempt of the
      setup, a support ticket of the account (this integration or none), the usable completion.
-#}
{%- set as_of = as_of_literal() -%}
{%- set statuses = ['connected', 'pending', 'error', 'other'] -%}
{%- set followups = ['reconnect', 'support_ticket', 'completion'] -%}

with

events as (

    select * from {{ ref('int_setup_events_enriched') }}
    where occurred_at <= {{ as_of }}

),

setups as (

    select * from {{ ref('time_to_connect') }}

),

signal_events as (

    select
        events.event_id,
        events.event_name,
        events.occurred_at,
        events.account_id,
        events.integration_type,
        setups.setup_id,
        setups.completed_at,
        case
            when events.integration_status in ('connected', 'pending', 'error') then events.integration_status
            else 'other'
        end as viewed_status
    from events
    inner join setups
        on
            events.account_id = setups.account_id
            and events.integration_type = setups.integration_type
    where events.event_name in (
        'integration_setup_completed', 'integration_reconnect_attempted', 'integration_status_viewed'
    )

),

support_tickets as (

    select
        account_id,
        integration_type,
        occurred_at
    from events
    where event_name = 'support_ticket_opened'

),

status_views as (

    select
        signal_events.*,
        {{ dbt.dateadd('minute', (setting('status_view_followup_hours') * 60) | int, 'signal_events.occurred_at') }}
            as followup_ends_at
    from signal_events
    where signal_events.event_name = 'integration_status_viewed'

),

view_reconnects as (

    select
        status_views.event_id,
        count(reconnects.event_id) as reconnects_after
    from status_views
    inner join signal_events as reconnects
        on
            status_views.setup_id = reconnects.setup_id
            and reconnects.event_name = 'integration_reconnect_attempted'
            and status_views.occurred_at < reconnects.occurred_at
            and status_views.followup_ends_at >= reconnects.occurred_at
    group by status_views.event_id

),

view_tickets as (

    select
        status_views.event_id,
        count(*) as tickets_after
    from status_views
    inner join support_tickets
        on
            status_views.account_id = support_tickets.account_id
            and (
                status_views.integration_type = support_tickets.integration_type
                or support_tickets.integration_type is null
            )
            and status_views.occurred_at < support_tickets.occurred_at
            and status_views.followup_ends_at >= support_tickets.occurred_at
    group by status_views.event_id

),

views_followed as (

    select
        status_views.setup_id,
        status_views.viewed_status,
        coalesce(view_reconnects.reconnects_after, 0) > 0 as is_followed_by_reconnect,
        coalesce(view_tickets.tickets_after, 0) > 0 as is_followed_by_support_ticket,
        coalesce(
            status_views.completed_at > status_views.occurred_at
            and status_views.completed_at <= status_views.followup_ends_at,
            false
        ) as is_followed_by_completion
    from status_views
    left join view_reconnects
        on status_views.event_id = view_reconnects.event_id
    left join view_tickets
        on status_views.event_id = view_tickets.event_id

),

per_setup_signals as (

    select
        setup_id,
        sum(case when event_name = 'integration_setup_completed' then 1 else 0 end) as ui_flow_completions,
        sum(case when event_name = 'integration_reconnect_attempted' then 1 else 0 end) as reconnect_attempts,
        sum(case
            when event_name = 'integration_reconnect_attempted' and completed_at <= occurred_at then 1 else 0
        end) as reconnects_after_completion,
        sum(case
            when event_name = 'integration_reconnect_attempted' and coalesce(completed_at > occurred_at, true)
                then 1
            else 0
        end) as reconnects_while_pending
    from signal_events
    group by setup_id

),

per_setup_views as (

    select
        setup_id,
        count(*) as status_views,
        {%- for status in statuses %}
        sum(case when viewed_status = '{{ status }}' then 1 else 0 end) as status_views_{{ status }},
        {%- for followup in followups %}
        sum(case when viewed_status = '{{ status }}' and is_followed_by_{{ followup }} then 1 else 0 end)
            as {{ status }}_views_followed_by_{{ followup }},
        {%- endfor %}
        {%- endfor %}
        sum(case when is_followed_by_reconnect then 1 else 0 end) as views_followed_by_reconnect,
        sum(case when is_followed_by_support_ticket then 1 else 0 end) as views_followed_by_support_ticket,
        sum(case when is_followed_by_reconnect or is_followed_by_support_ticket then 1 else 0 end)
            as views_followed_by_reconnect_or_ticket
    from views_followed
    group by setup_id

),

per_setup as (

    select
        setups.integration_type,
        setups.category,
        setups.setup_path,
        setups.cohort_week,
        setups.is_completed,
        coalesce(per_setup_signals.ui_flow_completions, 0) as ui_flow_completions,
        coalesce(per_setup_signals.reconnect_attempts, 0) as reconnect_attempts,
        coalesce(per_setup_signals.reconnects_after_completion, 0) as reconnects_after_completion,
        coalesce(per_setup_signals.reconnects_while_pending, 0) as reconnects_while_pending,
        coalesce(per_setup_views.status_views, 0) as status_views,
        {%- for status in statuses %}
        coalesce(per_setup_views.status_views_{{ status }}, 0) as status_views_{{ status }},
        {%- for followup in followups %}
        coalesce(per_setup_views.{{ status }}_views_followed_by_{{ followup }}, 0)
            as {{ status }}_views_followed_by_{{ followup }},
        {%- endfor %}
        {%- endfor %}
        coalesce(per_setup_views.views_followed_by_reconnect, 0) as views_followed_by_reconnect,
        coalesce(per_setup_views.views_followed_by_support_ticket, 0) as views_followed_by_support_ticket,
        coalesce(per_setup_views.views_followed_by_reconnect_or_ticket, 0) as views_followed_by_reconnect_or_ticket
    from setups
    left join per_setup_signals
        on setups.setup_id = per_setup_signals.setup_id
    left join per_setup_views
        on setups.setup_id = per_setup_views.setup_id

),

aggregated as (

    select
        integration_type,
        category,
        setup_path,
        cohort_week,
        count(*) as setups_started,
        sum(case when is_completed then 1 else 0 end) as setups_completed,
        sum(case when ui_flow_completions > 0 then 1 else 0 end) as setups_ui_flow_completed,
        sum(case when ui_flow_completions > 0 and not is_completed then 1 else 0 end)
            as setups_ui_flow_completed_not_usable,
        sum(reconnect_attempts) as reconnect_attempts,
        sum(reconnects_after_completion) as reconnects_after_completion,
        sum(reconnects_while_pending) as reconnects_while_pending,
        sum(case when reconnects_after_completion > 0 then 1 else 0 end) as setups_reconnected_after_completion,
        sum(case when reconnects_while_pending > 0 then 1 else 0 end) as setups_reconnected_while_pending,
        sum(status_views) as status_views,
        {%- for status in statuses %}
        sum(status_views_{{ status }}) as status_views_{{ status }},
        {%- for followup in followups %}
        sum({{ status }}_views_followed_by_{{ followup }}) as {{ status }}_views_followed_by_{{ followup }},
        {%- endfor %}
        {%- endfor %}
        sum(views_followed_by_reconnect) as status_views_followed_by_reconnect,
        sum(views_followed_by_support_ticket) as status_views_followed_by_support_ticket,
        sum(views_followed_by_reconnect_or_ticket) as status_views_followed_by_reconnect_or_ticket
    from per_setup
    group by integration_type, category, setup_path, cohort_week

),

final as (

    select
        {{ stable_hash(['integration_type', 'category', 'setup_path', 'cohort_week']) }} as confusion_row_id,
        aggregated.*,
        cast(setups_ui_flow_completed_not_usable as {{ type_double() }}) / nullif(setups_ui_flow_completed, 0)
            as ui_flow_completed_not_usable_rate,
        cast(status_views_followed_by_reconnect_or_ticket as {{ type_double() }}) / nullif(status_views, 0)
            as status_view_confusion_rate,
        {{ as_of }} as as_of
    from aggregated

)

select * from final
