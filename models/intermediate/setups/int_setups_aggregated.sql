{#-
    One row per setup (account x integration_type), plus one row per account with
    integration_type null for account-level events (docs or pricing views without an
    integration, workflow_launched): everything the state, segments, funnel and
    journey need from the visible events (occurred_at <= as_of), from fixed-size states:
    1. `counted`: one aggregate of min / max / count / sum only, including the boundary time of
       every arg-style attribute (e.g. the time of the latest error);
    2. `boundary_events` and `picked`: the events at those times are fetched back and ranked by
       (step order, event_id) among themselves (SPEC 6 order), a few rows per setup;
    3. `error_code_counts`: distinct error codes from a group by over the errors, not a
       count(distinct) state per setup.
    Incremental by account: a run recomputes only the accounts with events received since the
    last run or staged late, or whose visibility changed because as_of moved (the list
    int_setups_accounts_to_recompute, written before this model runs), and replaces
    their rows (delete+insert on account_id). When as_of moves backwards the pre-hook empties the
    table first, so no row from a later as_of survives. Seed edits that change a type's setup
    path need --full-refresh (reached steps are stored).
-#}
{{
    config(
        schema='intermediate',
        pre_hook="{{ reset_when_as_of_moves_back_or_rules_change() }}",
        **incremental_by_account(),
    )
}}

{%- set as_of = as_of_literal() -%}
{%- set accounts_to_recompute = ref('int_setups_accounts_to_recompute') -%}
{#- The visible events of the accounts to recompute (int_setups_accounts_to_recompute, written once
    per run). Read three times as a subquery rather than one shared CTE: an engine that
    materialises a shared CTE would copy every event first. -#}
{%- set visible_events -%}
    (
        select * from {{ ref('int_setup_events_enriched') }}
        where
            occurred_at <= {{ as_of }}
            and {{ account_needs_recompute(
                accounts_to_recompute, ref('stg_raw__setup_events'), as_of,
                accounts_listed_this_run(accounts_to_recompute), ref('stg_raw__setup_events_late_loads'),
            ) }}
    )
{%- endset -%}
{#- Arg-style attributes: (column, value, boundary). A boundary is the first (min) or last (max)
    time of the events meeting its condition; the attribute is the value of the event at that
    time that sorts first or last by (step order, event_id). -#}
{%- set boundaries = {
    'last_event_at': ('max', 'true'),
    'last_error_at': ('max', 'is_error'),
    'last_error_with_user_at': ('max', 'is_error and user_id is not null'),
    'last_environment_at': ('max', 'environment is not null'),
    'first_step_with_user_at': ('min', 'step_number is not null and user_id is not null'),
    'first_completion_with_user_at': ('min', 'is_completion_step and user_id is not null'),
    'first_role_at': ('min', 'step_number = 1 and initiated_by_role is not null'),
    'first_surface_at': ('min', 'step_number is not null and setup_surface is not null'),
    'last_status_view_at': ('max', "event_name = 'integration_status_viewed' and integration_status is not null"),
} -%}
{%- set picks = [
    ('last_event_name', 'event_name', 'last_event_at'),
    ('is_last_event_error', 'is_error', 'last_event_at'),
    ('last_error_code', 'error_code', 'last_error_at'),
    ('last_error_class', 'error_class', 'last_error_at'),
    ('last_error_user_id', 'user_id', 'last_error_with_user_at'),
    ('last_environment', 'environment', 'last_environment_at'),
    ('starter_user_id', 'user_id', 'first_step_with_user_at'),
    ('completed_by_user_id', 'user_id', 'first_completion_with_user_at'),
    ('initiated_by_role', 'initiated_by_role', 'first_role_at'),
    ('started_on_surface', 'setup_surface', 'first_surface_at'),
    ('last_viewed_status', 'integration_status', 'last_status_view_at'),
] -%}
{%- set boundary_names = ['last_error_with_user_at', 'last_environment_at', 'first_step_with_user_at',
    'first_completion_with_user_at', 'first_role_at', 'first_surface_at', 'last_status_view_at'] -%}

with

counted as (

    -- Fixed-size states only (min, max, count, sum): no per-setup string or struct state.
    select
        account_id,
        integration_type,
        coalesce(integration_type, '') as integration_key,
        max(setup_path) as setup_path,
        {%- for step in range(1, 5) %}
        min(case when step_number = {{ step }} then occurred_at end) as step_{{ step }}_first_at,
        {%- endfor %}
        count(*) as event_count,
        min(occurred_at) as first_event_at,
        max(occurred_at) as last_event_at,
        max(received_at) as max_received_at,
        count(case when is_error then 1 end) as error_count,
        min(case when is_error then occurred_at end) as first_error_at,
        max(case when is_error then occurred_at end) as last_error_at,
        {%- for name in boundary_names %}
        {{ boundaries[name][0] }}(case when {{ boundaries[name][1] }} then occurred_at end) as {{ name }},
        {%- endfor %}
        count(case when event_name = 'integration_started' then 1 end) as start_count,
        count(case when event_name = 'integration_reconnect_attempted' then 1 end) as reconnect_attempt_count,
        max(case when event_name = 'integration_reconnect_attempted' then occurred_at end) as last_reconnect_at,
        count(case when event_name = 'setup_docs_viewed' then 1 end) as docs_view_count,
        max(case when event_name = 'setup_docs_viewed' then occurred_at end) as last_docs_viewed_at,
        count(case when event_name = 'pricing_viewed' then 1 end) as pricing_view_count,
        max(case when event_name in ('setup_docs_viewed', 'pricing_viewed') then occurred_at end)
            as last_docs_or_pricing_viewed_at,
        min(case when event_name = 'workflow_launched' then occurred_at end) as first_workflow_launched_at,
        count(case when event_name = 'support_ticket_opened' then 1 end) as support_ticket_count,
        count(case when event_name = 'integration_status_viewed' then 1 end) as status_view_count,
        count(case when event_name = 'integration_setup_completed' then 1 end) as setup_flow_completed_count,
        count(case when has_malformed_properties then 1 end) as malformed_properties_count
    from {{ visible_events }} as visible_events
    group by account_id, integration_type

),

boundary_events as (

    -- The events at a boundary time of their setup. integration_type is null on the
    -- account-level row: the join compares through coalesce so it stays a hash join.
    select
        {%- for name in boundaries %}
        counted.{{ name }},
        {%- endfor %}
        visible_events.account_id,
        visible_events.integration_type,
        visible_events.occurred_at,
        visible_events.step_sort_order,
        visible_events.event_id,
        visible_events.event_name,
        visible_events.is_error,
        visible_events.error_code,
        visible_events.error_class,
        visible_events.user_id,
        visible_events.environment,
        visible_events.step_number,
        visible_events.is_completion_step,
        visible_events.initiated_by_role,
        visible_events.setup_surface,
        visible_events.integration_status
    from {{ visible_events }} as visible_events
    inner join counted
        on
            visible_events.account_id = counted.account_id
            and coalesce(visible_events.integration_type, '') = counted.integration_key
    where
        visible_events.occurred_at in (
            {%- for name in boundaries if name != 'last_event_at' %}
            counted.{{ name }},
            {%- endfor %}
            counted.last_event_at
        )

),

{%- set tie_order = ['step_sort_order', 'event_id'] %}

picked as (

    -- Among the events at each boundary time, SPEC 6 ties: step order, then event_id.
    select
        {%- for name, value, boundary in picks %}
        {%- set pick = arg_max_by if boundaries[boundary][0] == 'max' else arg_min_by %}
        {{ pick(value, tie_order, '(' ~ boundaries[boundary][1] ~ ') and occurred_at = ' ~ boundary) }}
            as {{ name }},
        {%- endfor %}
        account_id,
        integration_type
    from boundary_events
    group by account_id, integration_type

),

setup_error_codes as (

    -- Distinct codes per setup from a group by over the (few) errors.
    select
        account_id,
        coalesce(integration_type, '') as integration_key,
        error_code
    from {{ visible_events }} as visible_events
    where is_error
    group by account_id, coalesce(integration_type, ''), error_code

),

error_code_counts as (

    select
        account_id,
        integration_key,
        count(error_code) as distinct_error_code_count
    from setup_error_codes
    group by account_id, integration_key

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
    from counted
    inner join picked
        on
            counted.account_id = picked.account_id
            and counted.integration_key = coalesce(picked.integration_type, '')
    left join error_code_counts
        on
            counted.account_id = error_code_counts.account_id
            and counted.integration_key = error_code_counts.integration_key

)

select * from final
