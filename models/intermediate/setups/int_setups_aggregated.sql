{#-
    One row per setup (account x integration_type), plus one row per account with
    integration_type null for account-level events (docs or pricing views without an
    integration, workflow_launched): everything the state, segments, funnel and
    journey need from the events, in ONE aggregate pass over the visible events
    (occurred_at <= as_of). Incremental by account: a run recomputes only the accounts with
    events received since the last run (minus the lookback) or whose visibility changed
    because as_of moved, and replaces their rows (delete+insert on account_id). When as_of
    moves backwards the pre-hook empties the table first, so no row from a later as_of survives.
    Seed edits that change a type's setup path need --full-refresh (reached steps are stored).
-#}
{{
    config(
        materialized='incremental',
        unique_key='account_id',
        on_schema_change='fail',
        schema='intermediate',
        pre_hook="{{ reset_when_as_of_moves_back() }}",
        **incremental_settings('account_bucket'),
    )
}}

{%- set as_of = as_of_literal() -%}

with

events as (

    select * from {{ ref('int_setup_events_enriched') }}

),

scoped_events as (

    select * from events
    where {{ account_needs_recompute(ref('stg_raw__setup_events'), as_of) }}

),

visible_events as (

    select * from scoped_events
    where occurred_at <= {{ as_of }}

),

sequenced_events as (

    -- The one ranking of each setup's events (SPEC 6 order: occurred_at, step order, event_id),
    -- over the columns the arg-style attributes need: the aggregate below then picks "the latest
    -- error" or "the first starter" by this integer instead of a wide (time, step, id) key.
    select
        account_id,
        integration_type,
        event_name,
        is_error,
        error_code,
        error_class,
        user_id,
        environment,
        step_number,
        is_completion_step,
        initiated_by_role,
        setup_surface,
        integration_status,
        row_number() over (
            partition by account_id, integration_type
            order by occurred_at, step_sort_order, event_id
        ) as event_sequence
    from visible_events

),

counted as (

    -- Fixed-size states only (min, max, count, sum): no per-setup string or struct state.
    select
        account_id,
        integration_type,
        max(setup_path) as setup_path,
        {%- for step in range(1, 5) %}
        min(case when step_number = {{ step }} then occurred_at end) as step_{{ step }}_first_at,
        {%- endfor %}
        count(*) as event_count,
        min(occurred_at) as first_event_at,
        max(occurred_at) as last_event_at,
        max(received_at) as max_received_at,
        sum(case when is_error then 1 else 0 end) as error_count,
        min(case when is_error then occurred_at end) as first_error_at,
        max(case when is_error then occurred_at end) as last_error_at,
        sum(case when event_name = 'integration_started' then 1 else 0 end) as start_count,
        sum(case when event_name = 'integration_reconnect_attempted' then 1 else 0 end) as reconnect_attempt_count,
        max(case when event_name = 'integration_reconnect_attempted' then occurred_at end) as last_reconnect_at,
        sum(case when event_name = 'setup_docs_viewed' then 1 else 0 end) as docs_view_count,
        max(case when event_name = 'setup_docs_viewed' then occurred_at end) as last_docs_viewed_at,
        sum(case when event_name = 'pricing_viewed' then 1 else 0 end) as pricing_view_count,
        max(case when event_name in ('setup_docs_viewed', 'pricing_viewed') then occurred_at end)
            as last_docs_or_pricing_viewed_at,
        min(case when event_name = 'workflow_launched' then occurred_at end) as first_workflow_launched_at,
        sum(case when event_name = 'support_ticket_opened' then 1 else 0 end) as support_ticket_count,
        sum(case when event_name = 'integration_status_viewed' then 1 else 0 end) as status_view_count,
        sum(case when event_name = 'integration_setup_completed' then 1 else 0 end) as setup_flow_completed_count,
        sum(case when has_malformed_properties then 1 else 0 end) as malformed_properties_count
    from visible_events
    group by account_id, integration_type

),

{%- set event_order = ['event_sequence'] %}

picked as (

    -- The arg-style attributes, each by the integer event_sequence.
    select
        account_id,
        integration_type,
        {{ arg_max_by('event_name', event_order) }} as last_event_name,
        {{ arg_max_by('is_error', event_order) }} as is_last_event_error,
        {{ arg_max_by('error_code', event_order, "is_error") }} as last_error_code,
        {{ arg_max_by('error_class', event_order, "is_error") }} as last_error_class,
        {{ arg_max_by('user_id', event_order, "is_error and user_id is not null") }} as last_error_user_id,
        {{ arg_max_by('environment', event_order, "environment is not null") }} as last_environment,
        {{ arg_min_by('user_id', event_order, "step_number is not null and user_id is not null") }}
            as starter_user_id,
        {{ arg_min_by('user_id', event_order, "is_completion_step and user_id is not null") }}
            as completed_by_user_id,
        {{ arg_min_by('initiated_by_role', event_order, "step_number = 1 and initiated_by_role is not null") }}
            as initiated_by_role,
        {{ arg_min_by('setup_surface', event_order, "step_number is not null and setup_surface is not null") }}
            as started_on_surface,
        {{ arg_max_by(
            'integration_status',
            event_order,
            "event_name = 'integration_status_viewed' and integration_status is not null",
        ) }} as last_viewed_status
    from sequenced_events
    group by account_id, integration_type

),

setup_error_codes as (

    -- Distinct codes per setup from a group by over the (few) errors, not a count(distinct) state per setup.
    select
        account_id,
        integration_type,
        error_code
    from visible_events
    where is_error
    group by account_id, integration_type, error_code

),

error_code_counts as (

    select
        account_id,
        integration_type,
        count(error_code) as distinct_error_code_count
    from setup_error_codes
    group by account_id, integration_type

),

final as (

    select
        counted.account_id,
        counted.integration_type,
        counted.setup_path,
        {%- for step in range(1, 5) %}
        counted.step_{{ step }}_first_at,
        {%- endfor %}
        counted.event_count,
        counted.first_event_at,
        counted.last_event_at,
        counted.max_received_at,
        picked.last_event_name,
        picked.is_last_event_error,
        counted.error_count,
        coalesce(error_code_counts.distinct_error_code_count, 0) as distinct_error_code_count,
        counted.first_error_at,
        counted.last_error_at,
        picked.last_error_code,
        picked.last_error_class,
        picked.last_error_user_id,
        picked.last_environment,
        picked.starter_user_id,
        picked.completed_by_user_id,
        picked.initiated_by_role,
        picked.started_on_surface,
        counted.start_count,
        counted.reconnect_attempt_count,
        counted.last_reconnect_at,
        counted.docs_view_count,
        counted.last_docs_viewed_at,
        counted.pricing_view_count,
        counted.last_docs_or_pricing_viewed_at,
        counted.first_workflow_launched_at,
        counted.support_ticket_count,
        counted.status_view_count,
        picked.last_viewed_status,
        counted.setup_flow_completed_count,
        counted.malformed_properties_count,
        {{ as_of }} as computed_as_of,
        {{ account_bucket('counted.account_id') }} as account_bucket
    -- integration_type is null on the account-level row: compared through coalesce so the join stays a hash join.
    from counted
    inner join picked
        on
            counted.account_id = picked.account_id
            and coalesce(counted.integration_type, '') = coalesce(picked.integration_type, '')
    left join error_code_counts
        on
            counted.account_id = error_code_counts.account_id
            and coalesce(counted.integration_type, '') = coalesce(error_code_counts.integration_type, '')

)

select * from final
