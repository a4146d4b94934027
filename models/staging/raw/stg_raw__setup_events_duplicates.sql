{#-
    The raw rows removed as duplicates: every valid row of an event_id except its earliest
    arrival, with the arrival it lost to. A view: computed when audited, never stored twice.
-#}
with

validated as (

    select * from {{ ref('base_raw__setup_events') }}
    where reject_reason is null

),

ranked as (

    select
        validated.*,
        row_number() over (
            partition by event_id
            order by received_at, occurred_at, event_name, raw_properties
        ) as arrival_number,
        min(received_at) over (partition by event_id) as kept_received_at
    from validated

),

final as (

    select
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
        kept_received_at
    from ranked
    where arrival_number > 1

)

select * from final
