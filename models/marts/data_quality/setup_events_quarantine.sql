{#-
    One row per rejected raw event row, with the raw columns as they arrived and the reason.
    Reads the run's ranked batch, the same received_at lookback as the staged events; quarantine_id is the
    row's content plus its ordinal among identical rows, so re-reading a window is idempotent.
-#}
{{
    config(
        materialized='incremental',
        unique_key='quarantine_id',
        on_schema_change='fail',
        **incremental_settings('received_on'),
    )
}}

{{ require_complete_batch(ref('stg_raw__setup_events_ranked')) }}

with

rejected as (

    -- The run's batch (raw normalised once for staging, duplicates and quarantine alike).
    select * from {{ ref('stg_raw__setup_events_ranked') }}
    where reject_reason is not null

),

identified as (

    select
        rejected.*,
        {{ stable_hash([
            raw_event_id(), 'raw_event_name', 'occurred_at', 'received_at', 'account_id',
            'user_id', 'raw_integration_type', 'raw_properties',
        ]) }} as row_content_hash
    from rejected

),

final as (

    select
        {{ stable_hash(['row_content_hash', 'row_number() over (partition by row_content_hash order by row_content_hash)']) }}
            as quarantine_id,
        {{ raw_event_id() }} as event_id,
        raw_event_name as event_name,
        occurred_at,
        received_at,
        account_id,
        user_id,
        raw_integration_type as integration_type,
        raw_properties as properties,
        reject_reason,
        cast(received_at as date) as received_on
    from identified

)

select * from final
