-- A last line of defence on what reaches customers: no exported row may break a guardrail,
-- whatever the upstream logic does. Returns offending export rows with the broken rule.
with

export as (

    select * from {{ ref('export_journey_due') }}

),

setup_state as (

    select * from {{ ref('int_setup_state') }}

),

users as (

    select * from {{ ref('stg_raw__users') }}

),

sent_keys as (

    select distinct sync_key from {{ ref('stg_raw__message_sends') }}
    where sent_at <= {{ as_of_literal() }}

),

user_facing_per_recipient as (

    select
        recipient_user_id,
        count(*) as message_count
    from export
    where channel <> 'internal'
    group by recipient_user_id

),

violations as (

    select
        export.sync_key,
        case
            when setup_state.is_completed and export.journey_step <> 'setup_success_handoff' then 'exit'
            when sent_keys.sync_key is not null then 'already_sent'
            when export.channel <> 'internal' and coalesce(users.is_email_opt_out, true) then 'consent'
            when export.channel <> 'internal' and user_facing_per_recipient.message_count > 1 then 'frequency_cap'
            when export.channel = 'internal' and export.recipient_user_id is not null then 'internal_with_recipient'
        end as broken_rule
    from export
    left join setup_state
        on
            export.account_id = setup_state.account_id
            and export.integration_type = setup_state.integration_type
    left join users
        on export.recipient_user_id = users.user_id
    left join sent_keys
        on export.sync_key = sent_keys.sync_key
    left join user_facing_per_recipient
        on export.recipient_user_id = user_facing_per_recipient.recipient_user_id

),

final as (

    select * from violations
    where broken_rule is not null

)

select * from final
