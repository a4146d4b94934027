{#-
    The accounts the next incremental run of int_setups_aggregated recomputes (one row each, with
    its account bucket): written once per run, so the aggregate's three reads of the visible events
    semi-join a small table instead of each evaluating the rule over every staged event. The rule
    (`accounts_to_recompute_condition`) compares the staged events with the aggregate's table as it
    stands before the aggregate runs, which is looked up without ref(): the aggregate reads this
    model, not the other way round. Empty when there is nothing to compare with (no aggregate yet,
    or a --full-refresh run, which rebuilds every account without reading this list).
-#}
{{ config(materialized='table', schema='intermediate') }}

{%- set aggregate = previous_setups_aggregated() %}
{%- set late_loads = ref('stg_raw__setup_events_late_loads') %}

with

staged_events as (

    select
        account_id,
        received_at,
        occurred_at
    from {{ ref('stg_raw__setup_events') }}

),

{%- if aggregate is none %}

accounts as (

    -- Nothing to compare with: the aggregate is built in full.
    select staged_events.account_id
    from staged_events
    where false

),

{%- else %}

accounts as (

    select recompute_key as account_id
    from (
        {{ accounts_to_recompute_sql('staged_events', aggregate, as_of_literal(), late_loads) }}
    ) as listed

),

{%- endif %}

final as (

    select
        account_id,
        {{ account_bucket('account_id') }} as account_bucket
    from accounts

)

select * from final
