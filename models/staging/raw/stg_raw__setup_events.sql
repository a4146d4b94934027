{#-
    Staged setup events: one row per event_id (earliest received_at wins), quarantined rows
    excluded, properties parsed into typed columns. Reads the run's ranked batch
    (stg_raw__setup_events_ranked: the raw rows of the lookback window, normalised once, arrival 1
    = earliest copy in the batch) and inserts only event_ids not already staged with an earlier
    (or equal) arrival, so re-deliveries never double count. On a --full-refresh run the batch
    leaves out the valid rows whose event_id arrived once (batch_leaves_out_single_arrivals), and
    they are read from base_raw__setup_events here: every valid row whose event_id has no valid
    row in the batch.
-#}
{{
    config(
        materialized='incremental',
        unique_key='event_id',
        on_schema_change='fail',
        **incremental_settings('received_on'),
    )
}}

{{ require_complete_batch(ref('stg_raw__setup_events_ranked')) }}
{{ require_batch_with_single_arrivals(ref('stg_raw__setup_events_ranked')) }}

{#- Built after stg_raw__setup_events_late_loads (a scheduling dependency: no column is read),
    which compares the batch with this table as it stands before the run. -#}
-- depends_on: {{ ref('stg_raw__setup_events_late_loads') }}
{#- Read on a --full-refresh run only (below); dbt parses with that branch off. -#}
-- depends_on: {{ ref('base_raw__setup_events') }}

with

ranked_batch as (

    select * from {{ ref('stg_raw__setup_events_ranked') }}
    {%- if batch_leaves_out_single_arrivals() %}
    union all
    -- The single arrivals the batch left out: each is arrival 1 of its event_id.
    select
        base.*,
        1 as arrival_number,
        base.received_at as first_received_at,
        true as is_compact_batch
    from {{ ref('base_raw__setup_events') }} as base
    where
        base.reject_reason is null
        and not exists (
            select 1
            from {{ ref('stg_raw__setup_events_ranked') }} as batch
            where
                batch.event_id = base.event_id
                and batch.reject_reason is null
        )
    {%- endif %}

),

earliest_arrivals as (

    select
        *,
        {{ properties_json() }} as properties_json
    from ranked_batch
    where
        reject_reason is null
        and arrival_number = 1

),

not_yet_staged as (

    select * from earliest_arrivals
    where {{ not_already_staged('earliest_arrivals', ref('stg_raw__setup_events_ranked')) }}

),

{%- set property_keys = [
    'error_code', 'environment', 'key_scope', 'setup_surface', 'status', 'verification_method',
    'initiated_by_role', 'provider', 'domain',
] %}

properties_parsed as (

    -- The JSON text is parsed once for all keys (not once per key).
    select
        not_yet_staged.*,
        {{ json_fields('properties_json', property_keys) }} as property_values
    from not_yet_staged

),

parsed as (

    select
        event_id,
        has_generated_event_id,
        event_name,
        event_category,
        occurred_at,
        received_at,
        account_id,
        user_id,
        integration_type,
        properties_json as properties,
        has_malformed_properties,
        case
            when event_category = 'error'
                then coalesce(
                    {{ normalize_name(json_field('property_values', property_keys, 'error_code')) }},
                    default_error_code,
                    'unspecified'
                )
        end as error_code,
        {%- for key in ['environment', 'key_scope', 'setup_surface', 'status', 'verification_method', 'initiated_by_role'] %}
        {{ normalize_name(json_field('property_values', property_keys, key)) }}
            as {{ 'integration_status' if key == 'status' else key }},
        {%- endfor %}
        lower(trim({{ json_field('property_values', property_keys, 'provider') }})) as provider,
        lower(trim({{ json_field('property_values', property_keys, 'domain') }})) as sending_domain,
        cast(received_at as date) as received_on
    from properties_parsed

)

select * from parsed
