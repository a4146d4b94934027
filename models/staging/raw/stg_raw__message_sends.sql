{#- Messages the messaging tool actually sent, one row per message_id. -#}
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
