{#-
    The raw rows removed as duplicates: every valid row of an event_id except its earliest
    arrival, with the arrival it lost to. Reads the run's ranked batch (stg_raw__setup_events_ranked),
    so raw is not scanned again: a duplicate is a batch row ranked after the first copy, or any
    copy of an event already staged from an arrival before the batch. Only the second case needs
    the staged table, and it cannot happen on a full build (no earlier batch), so the full build
    skips that join. duplicate_id is the row's content plus its ordinal among identical rows:
    re-reading a window is idempotent.
-#}
{{
    config(
        materialized='incremental',
        unique_key='duplicate_id',
        on_schema_change='fail',
        **incremental_settings('received_on'),
    )
}}
-- depends_on: {{ ref('stg_raw__setup_events') }}

{{ require_complete_batch(ref('stg_raw__setup_events_ranked')) }}

with

valid_batch as (

    select * from {{ ref('stg_raw__setup_events_ranked') }}
    where reject_reason is null

),

{%- if is_incremental() %}

staged as (

    select * from {{ ref('stg_raw__setup_events') }}

),

kept_before_batch as (

    -- event_ids of this batch already staged from an earlier arrival (re-deliveries across runs):
    -- every copy in the batch is then a duplicate, numbered one higher.
    select
        valid_batch.event_id,
        staged.received_at as kept_received_at
    from valid_batch
    inner join staged
        on
            valid_batch.event_id = staged.event_id
            and valid_batch.first_received_at > staged.received_at
    where valid_batch.arrival_number = 1

),

ranked as (

    select
        valid_batch.*,
        coalesce(kept_before_batch.kept_received_at, valid_batch.first_received_at) as kept_received_at,
        valid_batch.arrival_number
        + case when kept_before_batch.event_id is not null then 1 else 0 end as removed_arrival_number
    from valid_batch
    left join kept_before_batch
        on valid_batch.event_id = kept_before_batch.event_id
    where
        valid_batch.arrival_number > 1
        or kept_before_batch.event_id is not null

),

{%- else %}

ranked as (

    -- Full build: no earlier batch, so the copies ranked after the first are the duplicates and
    -- the batch's first copy is the one kept.
    select
        valid_batch.*,
        valid_batch.first_received_at as kept_received_at,
        valid_batch.arrival_number as removed_arrival_number
    from valid_batch
    where valid_batch.arrival_number > 1

),

{%- endif %}

identified as (

    select
        ranked.*,
        {{ stable_hash([
            'event_id', 'raw_event_name', 'occurred_at', 'received_at', 'account_id',
            'user_id', 'raw_integration_type', 'raw_properties',
        ]) }} as row_content_hash
    from ranked

),

final as (

    select
        {{ stable_hash(['row_content_hash', 'row_number() over (partition by row_content_hash order by removed_arrival_number)']) }}
            as duplicate_id,
        event_id,
        has_generated_event_id,
        {{ raw_event_id() }} as raw_event_id,
        raw_event_name,
        occurred_at,
        received_at,
        account_id,
        user_id,
        raw_integration_type,
        raw_properties,
        removed_arrival_number as arrival_number,
        kept_received_at,
        cast(received_at as date) as received_on
    from identified

)

select * from final
