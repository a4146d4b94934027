{#-
    One row per run whose row-level data tests of the staged events and the duplicates passed:
    the newest received_at of that run's batch. Those tests check only the rows of the run
    (`where: __received_in_this_run__`, macros/incremental/test_scope.sql); this table is how a
    night that failed them, or stopped before them, is checked again: later runs test from the
    newest received_at recorded here when it is older than their batch. dbt build runs this
    model only after every test of its parents passed, so a failed night adds no row.
    Append-only, one small row per run (Spark's parquet tables refuse `delete`).
-#}
{{ config(materialized='incremental', incremental_strategy='append') }}

-- depends_on: {{ ref('stg_raw__setup_events') }}
-- depends_on: {{ ref('stg_raw__setup_events_duplicates') }}

with

batch_parts as (

    select
        min(received_at) as first_received_at,
        max(received_at) as last_received_at,
        count(*) as batch_rows
    from {{ ref('stg_raw__setup_events_ranked') }}
    {%- if batch_leaves_out_single_arrivals() %}
    -- A --full-refresh batch leaves out the single arrivals (all of raw is read, fewer rows are
    -- stored): they are the staged events other than the batch's arrivals 1, all staged this run.
    union all
    select
        min(received_at) as first_received_at,
        max(received_at) as last_received_at,
        count(*) as batch_rows
    from {{ ref('stg_raw__setup_events') }}
    union all
    select
        null as first_received_at,
        null as last_received_at,
        -1 * count(*) as batch_rows
    from {{ ref('stg_raw__setup_events_ranked') }}
    where arrival_number = 1
    {%- endif %}

)

select
    '{{ invocation_id }}' as invocation_id,
    {{ as_of_literal() }} as as_of,
    min(first_received_at) as batch_started_at,
    max(last_received_at) as tests_passed_through,
    cast(sum(batch_rows) as {{ dbt.type_bigint() }}) as batch_rows
from batch_parts
