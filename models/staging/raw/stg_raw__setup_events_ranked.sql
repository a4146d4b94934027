{#-
    The run's batch of raw event rows, normalised and judged ONCE (from base_raw__setup_events)
    and ranked by arrival: the staged events, the duplicates and the quarantine all read this
    table, so raw is scanned and normalised one time per run and the three still add up to it.
    The batch is every raw row received after the newest STAGED event minus
    `incremental_lookback_hours` (whole days where the staged tables overwrite daily partitions),
    plus the rows without received_at; starting from the staged events, not the previous batch,
    means a run that failed after building its batch loses nothing. The table holds the latest batch only: an incremental run
    empties it (pre-hook) after its window start was read, then appends the new batch.
    Ranking is narrow: event_ids are counted with a hash aggregate and only the rows of ids that
    arrived more than once in the batch (a few percent) are sorted; every other valid row is
    arrival 1. Rejected rows carry no arrival_number.
    A --full-refresh run that rebuilds the staged events too leaves the single arrivals out
    (batch_leaves_out_single_arrivals): the staged events read them from base_raw__setup_events,
    the duplicates and the quarantine never read them, and writing them here cost more than
    reading raw again (10M events: this model 24.8 s -> 11.2 s, the staged events 17.9 s -> 20.1 s).
    It finds the rows it keeps, rejected or repeated, in one scan and sorts only them.
    Such a batch is marked (is_compact_batch) until the next run replaces it: an incremental run
    of the staged events without the batch would miss the rows it leaves out, so it stops instead.
    When the batch is all of raw (a full build), it is read again for each use rather than held
    (`cte_not_materialized`; twice on a --full-refresh run, three times on a first build):
    holding every raw row spills at 100M events, and reading raw again is cheaper (10M events
    under a 700 MB memory limit: 31 s -> 25 s). A night's batch is small and is held, which is
    faster for it (10M events, a 3-day batch: 3.4 s against 4.5 s).
-#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        pre_hook="{{ empty_previous_batch() }}",
        **batch_settings(),
    )
}}

{%- set staged_events = staged_events_watermark() %}
{%- set leaves_out_single_arrivals = batch_leaves_out_single_arrivals() %}
{%- set batch_hint = cte_not_materialized() if not is_incremental() or staged_events is none else '' %}
{%- if is_incremental() and staged_events is none %}
    {#- Nothing staged yet: the whole of raw. -#}
    {%- set batch_window = 'true' %}
{%- else %}
    {%- set batch_window = received_in_lookback_window(
        day_aligned=staging_overwrites_partitions(), watermark_relation=staged_events
    ) %}
{%- endif %}

with

batch as {{ batch_hint ~ ' ' if batch_hint }}(

    select * from {{ ref('base_raw__setup_events') }}
    where
        received_at is null
        or {{ batch_window }}

),

repeated_event_ids as (

    -- Narrow: two columns of the valid rows, one hash aggregate, no sort.
    select
        event_id,
        min(received_at) as first_received_at
    from batch
    where reject_reason is null
    group by event_id
    having count(*) > 1

),

{%- if leaves_out_single_arrivals %}

ranked_rows as (

    -- A full refresh keeps the rejected rows and every copy of the repeated ids only: one more
    -- scan of the batch finds both (10M events: 8 s -> 5 s against a scan for each), and the only
    -- sort numbers the valid copies among themselves (the window runs after the where).
    select
        batch.*,
        case when batch.reject_reason is null then {{ arrival_number('batch', rejected_apart=true) }} end
            as arrival_number,
        coalesce(repeated_event_ids.first_received_at, batch.received_at) as first_received_at
    from batch
    left join repeated_event_ids
        on
            batch.event_id = repeated_event_ids.event_id
            and batch.reject_reason is null
    where
        batch.reject_reason is not null
        or repeated_event_ids.event_id is not null

),

{%- else %}

repeated_arrivals as (

    -- The only sort: the copies of the ids that arrived more than once in this batch.
    select
        batch.*,
        {{ arrival_number('batch') }} as arrival_number,
        repeated_event_ids.first_received_at
    from batch
    inner join repeated_event_ids
        on batch.event_id = repeated_event_ids.event_id
    where batch.reject_reason is null

),

unrepeated_rows as (

    -- The rejected rows, and the valid rows of event_ids that arrived once (arrival 1).
    select
        batch.*,
        case when batch.reject_reason is null then 1 end as arrival_number,
        batch.received_at as first_received_at
    from batch
    left join repeated_event_ids
        on
            batch.event_id = repeated_event_ids.event_id
            and batch.reject_reason is null
    where repeated_event_ids.event_id is null

),

ranked_rows as (

    select * from unrepeated_rows
    union all
    select * from repeated_arrivals

),

{%- endif %}

final as (

    -- Marks a batch without its single arrivals, so an incremental run of the staged events alone
    -- refuses to stage from it (require_batch_with_single_arrivals).
    select
        ranked_rows.*,
        {{ 'true' if leaves_out_single_arrivals else 'false' }} as is_compact_batch
    from ranked_rows

)

select * from final
