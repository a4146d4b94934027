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
    The per-setup counts are int_setup_status_signals' (incremental by account); every started
    setup of time_to_connect counts, with zeros when it had no signal.
-#}
{%- set as_of = as_of_literal() -%}
{%- set statuses = ['connected', 'pending', 'error', 'other'] -%}
{%- set followups = ['reconnect', 'support_ticket', 'completion'] -%}
{%- set counts = ['ui_flow_completions', 'reconnect_attempts', 'reconnects_after_completion',
    'reconnects_while_pending', 'status_views'] -%}

with

setups as (

    select * from {{ ref('time_to_connect') }}

),

signals as (

    select * from {{ ref('int_setup_status_signals') }}

),

per_setup as (

    select
        setups.integration_type,
        setups.category,
        setups.setup_path,
        setups.cohort_week,
        setups.is_completed,
        {%- for count in counts %}
        coalesce(signals.{{ count }}, 0) as {{ count }},
        {%- endfor %}
        {%- for status in statuses %}
        coalesce(signals.status_views_{{ status }}, 0) as status_views_{{ status }},
        {%- for followup in followups %}
        coalesce(signals.{{ status }}_views_followed_by_{{ followup }}, 0)
            as {{ status }}_views_followed_by_{{ followup }},
        {%- endfor %}
        {%- endfor %}
        coalesce(signals.views_followed_by_reconnect, 0) as views_followed_by_reconnect,
        coalesce(signals.views_followed_by_support_ticket, 0) as views_followed_by_support_ticket,
        coalesce(signals.views_followed_by_reconnect_or_ticket, 0) as views_followed_by_reconnect_or_ticket
    from setups
    left join signals
        on setups.setup_id = signals.setup_id

),

aggregated as (

    select
        integration_type,
        category,
        setup_path,
        cohort_week,
        count(*) as setups_started,
        count(case when is_completed then 1 end) as setups_completed,
        count(case when ui_flow_completions > 0 then 1 end) as setups_ui_flow_completed,
        count(case when ui_flow_completions > 0 and not is_completed then 1 end)
            as setups_ui_flow_completed_not_usable,
        {{ sum_of_counts('reconnect_attempts') }} as reconnect_attempts,
        {{ sum_of_counts('reconnects_after_completion') }} as reconnects_after_completion,
        {{ sum_of_counts('reconnects_while_pending') }} as reconnects_while_pending,
        count(case when reconnects_after_completion > 0 then 1 end) as setups_reconnected_after_completion,
        count(case when reconnects_while_pending > 0 then 1 end) as setups_reconnected_while_pending,
        {{ sum_of_counts('status_views') }} as status_views,
        {%- for status in statuses %}
        {{ sum_of_counts('status_views_' ~ status) }} as status_views_{{ status }},
        {%- for followup in followups %}
        {{ sum_of_counts(status ~ '_views_followed_by_' ~ followup) }} as {{ status }}_views_followed_by_{{ followup }},
        {%- endfor %}
        {%- endfor %}
        {{ sum_of_counts('views_followed_by_reconnect') }} as status_views_followed_by_reconnect,
        {{ sum_of_counts('views_followed_by_support_ticket') }} as status_views_followed_by_support_ticket,
        {{ sum_of_counts('views_followed_by_reconnect_or_ticket') }} as status_views_followed_by_reconnect_or_ticket
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
