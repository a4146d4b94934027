{#-
    Journey messages already sent for each setup by as_of (raw.message_sends, sent_at <= as_of):
    how many, when the latest went out and its journey step. One row per setup with a send.
    A table: int_setup_state and two data tests read it.
-#}
{{ config(materialized='table') }}
with

message_sends as (

    select * from {{ ref('stg_raw__message_sends') }}
    where
        sent_at <= {{ as_of_literal() }}
        and integration_type is not null

),

final as (

    select
        account_id,
        integration_type,
        count(*) as messages_sent_count,
        max(sent_at) as last_message_sent_at,
        {{ arg_max_by('journey_step', ['sent_at', 'message_id']) }} as last_message_journey_step
    from message_sends
    group by account_id, integration_type

)

select * from final
