{#-
    Every journey candidate with the FIRST guardrail it fails (SPEC 6, "Guardrails"), or null
    when it is due. Reasons, in this fixed order (documented in _journey__docs.md):
      1 exit           the setup is completed and the step is not setup_success_handoff
      2 already_sent   the sync_key is in message_sends (sent up to as_of), or the same message
                       is there under another key: same setup, step and recipient, and for stalled
                       help the same reminder_number sent at or after last progress, for
                       troubleshooting a send at or after the repeat when the setup has a single
                       repeated code (message_sends carries no error_code); internal alerts match
                       by sync_key only (message_sends carries no reason)
      3 expired        as_of is past the candidate's expires_at (its step's maximum age: the
                       confirmation_max_age_hours, stalled_help_max_age_windows and
                       message_max_age_hours vars): a stale message is never sent
      4 no_recipient   a user-facing message without a recipient known to raw.users with an email
      5 holdout        user-facing, and the account's stable hash bucket (0-99) < holdout_percent
      6 consent        user-facing, and the recipient opted out of email
      7 in_session     a step held while in session (journey_steps.is_held_while_in_session:
                       steps 2-5), and an event of the setup in the last in_session_minutes
      8 superseded     stalled help while troubleshooting of the setup is due in this run
                       (passes guardrails 1-7) or was sent since last progress
      9 frequency_cap  user-facing, and the recipient got a message within frequency_cap_hours
                       (message_sends), or a higher-priority message of this run survives
                       guardrails 1-8 (priority, then due_at, then sync_key); internal alerts
                       are never capped
    The reasons and their order are the rows of the suppression_reasons seed.
    A table: both the export and the suppressions read it.
-#}
{{ config(materialized='table') }}

{%- set as_of = as_of_literal() -%}

with

candidates as (

    select
        journey_candidates.*,
        count(case when journey_step = 'repeated_failure_troubleshooting' then 1 end)
            over (partition by account_id, integration_type)
            as setup_troubleshooting_count
    from {{ ref('int_journey_candidates') }} as journey_candidates

),

message_sends as (

    select * from {{ ref('stg_raw__message_sends') }}
    where sent_at <= {{ as_of }}

),

user_facing_steps as (

    -- The steps sent to users (seed journey_steps): the ones a send of another key can repeat.
    select journey_step from {{ ref('journey_steps') }}
    where is_user_facing

),

sent_keys as (

    select distinct sync_key
    from message_sends
    where sync_key is not null

),

sent_messages as (

    -- The same message fed back under another key (an older export, a manual send): never a
    -- second copy.
    select
        account_id,
        integration_type,
        journey_step,
        user_id,
        coalesce(reminder_number, 0) as reminder_number,
        max(sent_at) as last_sent_at
    from message_sends
    where
        journey_step in (select user_facing_steps.journey_step from user_facing_steps)
        and user_id is not null
    group by account_id, integration_type, journey_step, user_id, coalesce(reminder_number, 0)

),

recently_messaged_users as (

    select distinct user_id
    from message_sends
    where
        user_id is not null
        and sent_at > {{ threshold_before('frequency_cap_hours', as_of) }}

),

troubleshooting_sends as (

    select
        account_id,
        integration_type,
        max(sent_at) as last_troubleshooting_sent_at
    from message_sends
    where journey_step = 'repeated_failure_troubleshooting'
    group by account_id, integration_type

),

flagged as (

    select
        candidates.*,
        sent_keys.sync_key is not null
        or (
            sent_messages.last_sent_at is not null
            and case
                when candidates.journey_step = 'stalled_setup_help'
                    then sent_messages.last_sent_at >= candidates.last_progress_at
                when candidates.journey_step = 'repeated_failure_troubleshooting'
                    then
                        candidates.setup_troubleshooting_count = 1
                        and sent_messages.last_sent_at >= candidates.due_at
                else true
            end
        ) as is_already_sent,
        recently_messaged_users.user_id is not null as is_recipient_recently_messaged,
        troubleshooting_sends.last_troubleshooting_sent_at,
        {{ hash_bucket('candidates.account_id') }} as holdout_bucket
    from candidates
    left join sent_keys
        on candidates.sync_key = sent_keys.sync_key
    left join sent_messages
        on
            candidates.account_id = sent_messages.account_id
            and candidates.integration_type = sent_messages.integration_type
            and candidates.journey_step = sent_messages.journey_step
            and candidates.recipient_user_id = sent_messages.user_id
            and coalesce(candidates.reminder_number, 0) = sent_messages.reminder_number
    left join recently_messaged_users
        on candidates.recipient_user_id = recently_messaged_users.user_id
    left join troubleshooting_sends
        on
            candidates.account_id = troubleshooting_sends.account_id
            and candidates.integration_type = troubleshooting_sends.integration_type

),

first_guardrails as (

    select
        flagged.*,
        case
            when is_completed and journey_step <> 'setup_success_handoff' then 'exit'
            when is_already_sent then 'already_sent'
            when {{ as_of }} > expires_at then 'expired'
            when is_user_facing and (not is_recipient_known or recipient_email is null) then 'no_recipient'
            when is_user_facing and holdout_bucket < {{ setting('holdout_percent') }} then 'holdout'
            when is_user_facing and is_recipient_opted_out then 'consent'
            when
                is_held_while_in_session
                and last_event_at > {{ threshold_before('in_session_minutes', as_of) }}
                then 'in_session'
        end as first_reason
    from flagged

),

superseded as (

    select
        first_guardrails.*,
        max(
            case
                when journey_step = 'repeated_failure_troubleshooting' and first_reason is null then 1 else 0
            end
        ) over (partition by account_id, integration_type) = 1 as is_troubleshooting_due
    from first_guardrails

),

second_guardrails as (

    select
        superseded.*,
        coalesce(
            first_reason,
            case
                when
                    journey_step = 'stalled_setup_help'
                    and (
                        is_troubleshooting_due
                        or last_troubleshooting_sent_at >= last_progress_at
                    )
                    then 'superseded'
            end,
            case when is_user_facing and is_recipient_recently_messaged then 'frequency_cap' end
        ) as pre_cap_reason
    from superseded

),

ranked as (

    select
        second_guardrails.*,
        case
            when is_user_facing and pre_cap_reason is null
                then row_number() over (
                    partition by recipient_user_id, is_user_facing, pre_cap_reason is null
                    order by priority, due_at, sync_key
                )
        end as recipient_run_rank
    from second_guardrails

),

final as (

    select
        ranked.*,
        coalesce(
            pre_cap_reason,
            case when recipient_run_rank > 1 then 'frequency_cap' end
        ) as suppression_reason
    from ranked

)

select * from final
