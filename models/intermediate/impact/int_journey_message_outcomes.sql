{#-
    One row per message in raw.message_sends (sent by as_of) with what the events say about it:
    the setup's state when it was sent and what followed within its credit window. Attribution: a
    message is credited with what its setup did after sent_at, up to message_outcome_window_hours
    later (message_error_recurrence_window_hours for the error recurring), and only until the next
    message of the same setup was sent - from then on the next message gets the credit.
    Account-level events (support tickets, workflow_launched with no integration) count for every
    setup of the account. journey_message_outcomes adds the setup's attributes and the labels.

    Incremental by account (delete+insert on account_id): once a message's outcome is settled
    (a next message was sent, or its window closed before as_of) its row only changes when events
    of its account arrive late. A run recomputes every message of the accounts that
    `message_accounts_to_recompute` lists: the aggregate's rule over this table's own previous run
    (late and newly visible events), a visible message not stored yet, or a stored message not
    settled. When as_of moves backwards, or a credit window changed (rules_fingerprint), the pre-hook
    empties the table first.
-#}
{%- set rules_vars = ['message_outcome_window_hours', 'message_error_recurrence_window_hours'] -%}
{{
    config(
        pre_hook="{{ reset_when_as_of_moves_back_or_rules_change(rules_vars=" ~ (rules_vars | tojson) ~ ") }}",
        **incremental_by_account(),
    )
}}

{%- set as_of = as_of_literal() -%}
{%- set event_order = ['events.occurred_at', 'events.step_sort_order', 'events.event_id'] -%}
{%- set success_events = "('test_event_sent', 'first_api_call_success', 'sync_completed', 'sending_enabled')" -%}
{%- set recompute_filter = in_accounts_to_recompute() -%}
{%- set late_loads = ref('stg_raw__setup_events_late_loads') -%}
{#- The visible events of the accounts to recompute. Read twice as a subquery rather than one
    shared CTE: an engine that materialises a shared CTE would copy every event first. -#}
{%- set visible_events -%}
    (
        select
            event_id,
            event_name,
            occurred_at,
            received_at,
            account_id,
            integration_type,
            step_number,
            is_completion_step,
            step_sort_order,
            is_error,
            error_code
        from {{ ref('int_setup_events_enriched') }}
        where
            occurred_at <= {{ as_of }}
            and {{ recompute_filter }}
    )
{%- endset %}


{#- Built after int_setups_aggregated on purpose (a scheduling dependency: no column is read).
    On a full build this table and the aggregate both read every event; side by side they shared
    the two cores and DuckDB's memory limit and spilled (100M events: the aggregate took 423 s
    beside it, 247 s in the run before it existed). int_setup_status_signals already follows the
    aggregate, through time_to_connect. -#}
-- depends_on: {{ ref('int_setups_aggregated') }}

with

{%- if is_incremental() %}

accounts_to_recompute as (

    {{ message_accounts_to_recompute(
        ref('stg_raw__message_sends'), ref('stg_raw__setup_events'), as_of, late_loads
    ) }}

),

{%- endif %}

message_sends as (

    select * from {{ ref('stg_raw__message_sends') }}
    where
        sent_at <= {{ as_of }}
        and {{ recompute_filter }}

),

received as (

    -- The newest staged event of each account (visible ones, as int_setups_aggregated counts
    -- them): the watermark the next run's rule starts from.
    {{ newest_received_by_account(ref('stg_raw__setup_events'), as_of, recompute_filter) }}

),

sends_bounded as (

    select
        message_sends.*,
        lead(message_sends.sent_at) over (
            partition by message_sends.account_id, message_sends.integration_type
            order by message_sends.sent_at, message_sends.message_id
        ) as next_message_sent_at,
        {{ dbt.dateadd('minute', (setting('message_outcome_window_hours') * 60) | int, 'message_sends.sent_at') }}
            as outcome_window_ends_at,
        {{ dbt.dateadd('minute', (setting('message_error_recurrence_window_hours') * 60) | int, 'message_sends.sent_at') }}
            as error_window_ends_at
    from message_sends

),

state_at_send as (

    select
        sends_bounded.message_id,
        max(events.step_number) as reached_step_number_at_send,
        max(case when events.is_completion_step then 1 else 0 end) = 1 as is_completed_at_send,
        count(case when events.is_error then 1 end) as errors_before_send,
        {{ arg_max_by('events.error_code', event_order, 'events.is_error') }} as last_error_code_at_send,
        max(events.occurred_at) as last_event_before_send_at
    from sends_bounded
    inner join {{ visible_events }} as events
        on
            sends_bounded.account_id = events.account_id
            and sends_bounded.integration_type = events.integration_type
            and sends_bounded.sent_at >= events.occurred_at
    group by sends_bounded.message_id

),

sends_with_state as (

    select
        sends_bounded.*,
        coalesce(state_at_send.reached_step_number_at_send, 0) as reached_step_number_at_send,
        coalesce(state_at_send.is_completed_at_send, false) as is_completed_at_send,
        coalesce(state_at_send.errors_before_send, 0) as errors_before_send,
        state_at_send.last_error_code_at_send,
        state_at_send.last_event_before_send_at,
        -- The credit ends at the next message of the setup, the window's end or as_of.
        {{ least_not_null(['sends_bounded.next_message_sent_at', 'sends_bounded.outcome_window_ends_at', as_of]) }}
            as attribution_ends_at
    from sends_bounded
    left join state_at_send
        on sends_bounded.message_id = state_at_send.message_id

),

credited_events as (

    select
        sends_with_state.message_id,
        events.event_name,
        events.occurred_at,
        events.step_number,
        events.is_completion_step,
        events.is_error,
        events.error_code,
        events.integration_type,
        events.occurred_at <= sends_with_state.error_window_ends_at as is_within_error_window,
        events.step_number > sends_with_state.reached_step_number_at_send as is_progress
    from sends_with_state
    inner join {{ visible_events }} as events
        on
            sends_with_state.account_id = events.account_id
            and (
                sends_with_state.integration_type = events.integration_type
                or events.integration_type is null
            )
            and sends_with_state.sent_at < events.occurred_at
            and sends_with_state.attribution_ends_at >= events.occurred_at
            and (
                sends_with_state.next_message_sent_at is null
                or sends_with_state.next_message_sent_at > events.occurred_at
            )

),

followed as (

    select
        credited_events.message_id,
        max(case when credited_events.is_progress then credited_events.step_number end) as progressed_to_step_number,
        min(case when credited_events.is_progress then credited_events.occurred_at end) as first_progress_at,
        min(case when credited_events.is_completion_step then credited_events.occurred_at end) as completed_after_send_at,
        count(case when credited_events.is_error then 1 end) as errors_after_send,
        min(case when credited_events.event_name in {{ success_events }} then credited_events.occurred_at end)
            as first_test_or_success_at,
        min(case when credited_events.event_name = 'support_ticket_opened' then credited_events.occurred_at end)
            as support_ticket_at,
        min(case when credited_events.event_name = 'workflow_launched' then credited_events.occurred_at end)
            as workflow_launched_at
    from credited_events
    group by credited_events.message_id

),

recurred as (

    select
        sends_with_state.message_id,
        min(credited_events.occurred_at) as error_recurred_at
    from sends_with_state
    inner join credited_events
        on
            sends_with_state.message_id = credited_events.message_id
            and credited_events.is_error
            and credited_events.is_within_error_window
            and sends_with_state.last_error_code_at_send = credited_events.error_code
    group by sends_with_state.message_id

),

final as (

    select
        sends_with_state.message_id,
        sends_with_state.sync_key,
        sends_with_state.account_id,
        sends_with_state.integration_type,
        sends_with_state.user_id,
        sends_with_state.journey_step,
        sends_with_state.reminder_number,
        sends_with_state.sent_at,
        -- The setup's state when the message was sent.
        sends_with_state.reached_step_number_at_send,
        sends_with_state.is_completed_at_send,
        sends_with_state.errors_before_send,
        sends_with_state.last_error_code_at_send,
        sends_with_state.last_event_before_send_at,
        -- The credit window.
        sends_with_state.next_message_sent_at,
        sends_with_state.attribution_ends_at,
        (
            sends_with_state.next_message_sent_at is not null
            or sends_with_state.outcome_window_ends_at <= {{ as_of }}
        ) as is_outcome_settled,
        -- What followed, within the credit window.
        followed.progressed_to_step_number,
        followed.first_progress_at,
        followed.completed_after_send_at,
        coalesce(followed.errors_after_send, 0) as errors_after_send,
        recurred.error_recurred_at,
        followed.first_test_or_success_at,
        followed.support_ticket_at,
        followed.workflow_launched_at,
        -- Bookkeeping of the incremental runs.
        received.max_received_at,
        {{ as_of }} as computed_as_of,
        {{ vars_fingerprint(rules_vars) }} as rules_fingerprint,
        {{ account_bucket('sends_with_state.account_id') }} as account_bucket
    from sends_with_state
    left join followed
        on sends_with_state.message_id = followed.message_id
    left join recurred
        on sends_with_state.message_id = recurred.message_id
    left join received
        on sends_with_state.account_id = received.account_id

)

select * from final
