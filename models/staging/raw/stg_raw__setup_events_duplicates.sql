{#-
    The raw rows removed as duplicates: every valid row of an event_id except its earliest
    arrival, with the arrival it lost to. Incremental over the same received_at lookback as the
    staged events: only event_ids that arrived twice in the window, or that were already staged
    from an earlier arrival, are ranked, so the window function touches a few percent of rows.
    duplicate_id is the row's content plus its ordinal among identical rows: re-reading a window
    is idempotent.
-#}
{{
    config(
        materialized='incremental',
        unique_key='duplicate_id',
        on_schema_change='fail',
        **incremental_settings('received_on'),
    )
}}

with

validated as (

    select * from {{ ref('base_raw__setup_events') }}
    where
        reject_reason is null
        and {{ received_in_lookback_window() }}

),

staged as (

    select * from {{ ref('stg_raw__setup_events') }}

),

arrivals_per_id as (

    select
        event_id,
        count(*) as arrival_count,
        min(received_at) as first_received_at
    from validated
    group by event_id

),

repeated_ids as (

    -- Arrived more than once in this window, or kept from an arrival before the window.
    select
        arrivals_per_id.event_id,
        staged.received_at as kept_received_at,
        staged.received_at < arrivals_per_id.first_received_at as is_kept_before_window
    from arrivals_per_id
    inner join staged
        on arrivals_per_id.event_id = staged.event_id
    where
        arrivals_per_id.arrival_count > 1
        or staged.received_at < arrivals_per_id.first_received_at

),

ranked as (

    select
        validated.*,
        repeated_ids.kept_received_at,
        row_number() over (
            partition by validated.event_id
            order by validated.received_at, validated.occurred_at, validated.event_name, validated.raw_properties
        ) + case when repeated_ids.is_kept_before_window then 1 else 0 end as arrival_number
    from validated
    inner join repeated_ids
        on validated.event_id = repeated_ids.event_id

),

identified as (

    select
        ranked.*,
        {{ stable_hash([
            'event_id', 'raw_event_name', 'occurred_at', 'received_at', 'account_id',
            'user_id', 'raw_integration_type', 'raw_properties',
        ]) }} as row_content_hash
    from ranked
    where arrival_number > 1

),

final as (

    select
        {{ stable_hash(['row_content_hash', 'row_number() over (partition by row_content_hash order by arrival_number)']) }}
            as duplicate_id,
        event_id,
        has_generated_event_id,
        raw_event_id,
        raw_event_name,
        occurred_at,
        received_at,
        account_id,
        user_id,
        raw_integration_type,
        raw_properties,
        arrival_number,
        kept_received_at,
        cast(received_at as date) as received_on
    from identified

)

select * from final
