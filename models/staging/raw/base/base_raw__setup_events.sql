{#-
    Every raw event row, normalised and judged once: the staged events, the duplicates and the
    quarantine all read this view (through the ranked batch), so the three always add up to the
    raw table. The reasons, in the order they are checked, are the rows of the quarantine_reasons
    seed. The producer's event_id and the valid JSON properties are not output: they follow from
    event_id / has_generated_event_id and raw_properties / has_valid_properties (macros
    raw_event_id and properties_json), and the ranked batch that stores these rows is the widest
    table of a full build.
-#}
with

source as (

    select * from {{ source('raw', 'setup_events') }}

),

event_taxonomy as (

    select * from {{ ref('event_taxonomy') }}

),

normalised as (

    select
        event_id as raw_event_id,
        event_name as raw_event_name,
        occurred_at,
        received_at,
        account_id,
        user_id,
        integration_type as raw_integration_type,
        properties as raw_properties,
        {{ normalize_name('event_name') }} as event_name,
        {{ normalize_name('integration_type') }} as integration_type,
        coalesce({{ json_is_object('properties') }}, false) as has_valid_properties
    from source

),

judged as (

    select
        normalised.raw_event_name,
        normalised.occurred_at,
        normalised.received_at,
        normalised.account_id,
        normalised.user_id,
        normalised.raw_integration_type,
        normalised.raw_properties,
        normalised.event_name,
        normalised.integration_type,
        normalised.has_valid_properties,
        event_taxonomy.event_category,
        event_taxonomy.default_error_code,
        coalesce(
            normalised.raw_event_id,
            'gen_' || {{ stable_hash([
                'normalised.event_name', 'normalised.occurred_at', 'normalised.account_id',
                'normalised.user_id', 'normalised.integration_type', 'normalised.raw_properties',
            ]) }}
        ) as event_id,
        normalised.raw_event_id is null as has_generated_event_id,
        normalised.raw_properties is not null
        and not normalised.has_valid_properties as has_malformed_properties,
        case
            when normalised.received_at is null then 'missing_received_at'
            when normalised.account_id is null or trim(normalised.account_id) = '' then 'missing_account_id'
            when normalised.occurred_at is null then 'missing_occurred_at'
            when normalised.occurred_at < {{ min_occurred_at_literal() }} then 'occurred_before_floor'
            when event_taxonomy.event_name is null then 'unknown_event_name'
            when event_taxonomy.requires_integration_type and normalised.integration_type is null
                then 'missing_integration_type'
            when normalised.occurred_at > {{ threshold_after('max_clock_skew_hours', 'normalised.received_at') }}
                then 'occurred_after_received'
        end as reject_reason
    from normalised
    left join event_taxonomy
        on normalised.event_name = event_taxonomy.event_name

)

select * from judged
