{#- Messages the messaging tool actually sent, one row per message_id.
    A table, not a view: four models (the setup's sends, the journey guardrails, the message
    outcomes twice and the lift setups) and the data tests read it, and a view re-ranked every raw
    send for each of them (100M events: a test of int_setup_messages_sent alone took 32 s). -#}
{{ config(materialized='table') }}
with

source as (

    select * from {{ source('raw', 'message_sends') }}

),

ranked as (

    select
        source.*,
        row_number() over (
            partition by coalesce(message_id, sync_key || cast(sent_at as {{ dbt.type_string() }}))
            order by sent_at
        ) as delivery_number
    from source

),

final as (

    select
        coalesce(message_id, 'gen_' || {{ stable_hash(['sync_key', 'sent_at', 'user_id']) }}) as message_id,
        sync_key,
        account_id,
        {{ normalize_name('integration_type') }} as integration_type,
        user_id,
        {{ normalize_name('journey_step') }} as journey_step,
        reminder_number,
        sent_at
    from ranked
    where delivery_number = 1 and sent_at is not null

)

select * from final
