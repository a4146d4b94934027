{#-
    One row per started setup with a status-confusion signal (domain/001) in its visible events:
    UI-flow completions (integration_setup_completed), reconnect attempts
    (integration_reconnect_attempted) after the usable end state or while it was pending, and
    status views (integration_status_viewed) by the status shown (connected, pending, error, other)
    and what followed within status_view_followup_hours: a reconnect attempt of the setup, a
    support ticket of the account (this integration or none), the usable completion.
    integration_status_confusion adds the setups without a signal and aggregates by cohort.

    Incremental by account (delete+insert on account_id): every count is a function of the
    account's visible events (the completion too), so a run recomputes the accounts the
    aggregate's rule picks against this table's own previous run (accounts_to_recompute_sql):
    events received since its watermark or staged late, or made visible by as_of moving. When
    as_of moves backwards, or status_view_followup_hours changed (rules_fingerprint), the pre-hook
    empties the table first.
-#}
{%- set rules_vars = ['status_view_followup_hours'] -%}
{{
    config(
        pre_hook="{{ reset_when_as_of_moves_back_or_rules_change(rules_vars=" ~ (rules_vars | tojson) ~ ") }}",
        **incremental_by_account(),
    )
}}

{%- set as_of = as_of_literal() -%}
{%- set statuses = ['connected', 'pending', 'error', 'other'] -%}
{%- set followups = ['reconnect', 'support_ticket', 'completion'] -%}
{%- set by_bucket = overwrites_partitions() -%}
{%- set recompute_filter = in_accounts_to_recompute() -%}
{%- set late_loads = ref('stg_raw__setup_events_late_loads') -%}

with

{%- if is_incremental() %}

accounts_to_recompute as (

    {{ accounts_to_recompute_sql(
        ref('stg_raw__setup_events'), this, as_of, late_loads, by_bucket
    ) }}

),

{%- endif %}

events as (

    select
        event_id,
        event_name,
        occurred_at,
        account_id,
        integration_type,
        integration_status
    from {{ ref('int_setup_events_enriched') }}
    where
        occurred_at <= {{ as_of }}
        and event_name in (
            'integration_setup_completed', 'integration_reconnect_attempted', 'integration_status_viewed',
            'support_ticket_opened'
        )
        and {{ recompute_filter }}

),

setups as (

    -- The setups of the accounts to recompute: the events above are theirs only.
    select * from {{ ref('time_to_connect') }}
    where {{ recompute_filter }}

),

received as (

    {{ newest_received_by_account(ref('stg_raw__setup_events'), as_of, recompute_filter) }}

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
        max(account_id) as account_id,
        max(integration_type) as integration_type,
        count(case when event_name = 'integration_setup_completed' then 1 end) as ui_flow_completions,
        count(case when event_name = 'integration_reconnect_attempted' then 1 end) as reconnect_attempts,
        count(case
            when event_name = 'integration_reconnect_attempted' and completed_at <= occurred_at then 1
        end) as reconnects_after_completion,
        count(case
            when event_name = 'integration_reconnect_attempted' and coalesce(completed_at > occurred_at, true)
                then 1
        end) as reconnects_while_pending
    from signal_events
    group by setup_id

),

per_setup_views as (

    select
        setup_id,
        count(*) as status_views,
        {%- for status in statuses %}
        count(case when viewed_status = '{{ status }}' then 1 end) as status_views_{{ status }},
        {%- for followup in followups %}
        count(case when viewed_status = '{{ status }}' and is_followed_by_{{ followup }} then 1 end)
            as {{ status }}_views_followed_by_{{ followup }},
        {%- endfor %}
        {%- endfor %}
        count(case when is_followed_by_reconnect then 1 end) as views_followed_by_reconnect,
        count(case when is_followed_by_support_ticket then 1 end) as views_followed_by_support_ticket,
        count(case when is_followed_by_reconnect or is_followed_by_support_ticket then 1 end)
            as views_followed_by_reconnect_or_ticket
    from views_followed
    group by setup_id

),

final as (

    -- Every setup with a signal has a signal event, so per_setup_signals holds all of them.
    select
        per_setup_signals.setup_id,
        per_setup_signals.account_id,
        per_setup_signals.integration_type,
        per_setup_signals.ui_flow_completions,
        per_setup_signals.reconnect_attempts,
        per_setup_signals.reconnects_after_completion,
        per_setup_signals.reconnects_while_pending,
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
        coalesce(per_setup_views.views_followed_by_reconnect_or_ticket, 0) as views_followed_by_reconnect_or_ticket,
        -- Bookkeeping of the incremental runs.
        received.max_received_at,
        {{ as_of }} as computed_as_of,
        {{ vars_fingerprint(rules_vars) }} as rules_fingerprint,
        {{ account_bucket('per_setup_signals.account_id') }} as account_bucket
    from per_setup_signals
    left join per_setup_views
        on per_setup_signals.setup_id = per_setup_views.setup_id
    left join received
        on per_setup_signals.account_id = received.account_id

)

select * from final
