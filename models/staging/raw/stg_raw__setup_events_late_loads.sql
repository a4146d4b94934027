{#-
    The setup events staged late: rows of the run's batch that stg_raw__setup_events is about to
    stage although their received_at is at or before the newest row it already holds (a backfill,
    a delayed loader, an earlier copy of a staged event_id). Appended each run, once per
    (event_id, received_at). The models keyed by account (int_setups_aggregated and the impact
    models) recompute an account when it has an event received after their own watermark or a
    late load here within incremental_lookback_hours of it, instead of every account with an
    event in the last incremental_lookback_hours: on a night with no late load that is the
    accounts of the new rows only (10M events: 12.5% of accounts against 25%).
    Built before stg_raw__setup_events (which lists it with `-- depends_on`), from that table as it
    stands before the run, looked up without ref(). Empty on a --full-refresh run or a first build
    (nothing is staged yet, so nothing is late), and where the staged tables overwrite daily
    partitions (late_loads_are_logged: Spark), where the rule keeps its lookback instead.
-#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **batch_settings(),
    )
}}

{%- set staged_events = staged_events_watermark() %}
{%- set logs_this_run = late_loads_are_logged() and staged_events is not none and not flags.FULL_REFRESH %}

with

batch as (

    select
        event_id,
        account_id,
        occurred_at,
        received_at
    from {{ ref('stg_raw__setup_events_ranked') }}
    where
        reject_reason is null
        and arrival_number = 1
        {%- if logs_this_run %}
        and received_at <= {{ newest_received_at(staged_events) }}
        {%- else %}
        and false
        {%- endif %}

),

late_loads as (

    select
        event_id,
        account_id,
        occurred_at,
        received_at,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as logged_at
    from batch
    {%- if logs_this_run %}
    where
        not {{ earlier_copy_exists('batch', staged_events) }}
        -- Logged already by a run that failed before staging it: once is enough.
        and {{ ('not ' ~ earlier_copy_exists('batch', this)) if is_incremental() else 'true' }}
    {%- endif %}

)

select * from late_loads
