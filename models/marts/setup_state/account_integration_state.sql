{#-
    One row per started setup (account x integration_type) of an account known to raw.accounts,
    as of as_of, with the error taxonomy's response row for its last error. Events of accounts
    not yet in raw.accounts are kept upstream and appear here from the first run after the
    account arrives.

    Incremental by account (delete+insert on account_id; account buckets on Spark), like
    int_setup_state, whose rows it copies: a run recomputes the accounts that
    `integration_state_accounts_to_recompute` lists (setups whose int_setup_state row differs from
    the stored copy in the columns that decide it, or is not stored yet; stored setups that left
    int_setup_state or whose account left or changed in raw.accounts; setups whose last error's
    taxonomy row changed). Every row holds as of the latest run's as_of. The pre-hook deletes the
    stored rows whose setup or account is gone (delete+insert only replaces the accounts it
    writes); moving as_of backwards needs nothing more (see setup_state_version_columns).
-#}
{{
    config(
        pre_hook="{{ delete_rows_without_source(ref('int_setup_state'), ref('stg_raw__accounts')) }}",
        **incremental_by_account(),
    )
}}

{%- set recompute_filter = in_accounts_to_recompute() -%}

with

all_setup_states as (

    select * from {{ ref('int_setup_state') }}
    where status <> 'not_started'

),

accounts as (

    select * from {{ ref('stg_raw__accounts') }}

),

error_taxonomy as (

    select * from {{ ref('error_taxonomy') }}

),

{%- if is_incremental() %}

accounts_to_recompute as (

    {{ integration_state_accounts_to_recompute('all_setup_states', 'accounts', 'error_taxonomy') }}

),

{%- endif %}

setup_state as (

    select * from all_setup_states
    where {{ recompute_filter }}

),

final as (

    select
        -- Every column of int_setup_state but its bookkeeping (computed_as_of, rules_fingerprint):
        -- a mart row must not depend on which run last recomputed it.
        setup_state.account_id,
        setup_state.integration_type,
        setup_state.display_name,
        setup_state.category,
        setup_state.setup_path,
        setup_state.requires_admin,
        setup_state.is_missing_from_catalog,
        setup_state.status,
        setup_state.is_completed,
        setup_state.started_at,
        setup_state.completed_at,
        setup_state.last_progress_at,
        setup_state.highest_reached_step,
        setup_state.last_reached_step,
        setup_state.next_required_step_number,
        setup_state.next_required_step,
        setup_state.step_count,
        setup_state.step_1_name,
        setup_state.step_1_reached_at,
        setup_state.step_2_name,
        setup_state.step_2_reached_at,
        setup_state.step_3_name,
        setup_state.step_3_reached_at,
        setup_state.step_4_name,
        setup_state.step_4_reached_at,
        setup_state.first_event_at,
        setup_state.last_event_at,
        setup_state.last_event_name,
        setup_state.is_last_event_error,
        setup_state.event_count,
        setup_state.error_count,
        setup_state.distinct_error_code_count,
        setup_state.first_error_at,
        setup_state.last_error_at,
        setup_state.last_error_code,
        setup_state.last_error_class,
        setup_state.last_error_user_id,
        setup_state.is_last_error_after_progress,
        setup_state.has_repeated_errors,
        setup_state.repeated_error_codes,
        setup_state.latest_repeated_error_code,
        setup_state.repeated_errors_since,
        setup_state.starter_user_id,
        setup_state.starter_role,
        setup_state.is_starter_admin,
        setup_state.completed_by_user_id,
        setup_state.initiated_by_role,
        setup_state.started_on_surface,
        setup_state.last_environment,
        setup_state.start_count,
        setup_state.restart_count,
        setup_state.reconnect_attempt_count,
        setup_state.last_reconnect_at,
        setup_state.docs_view_count,
        setup_state.last_docs_viewed_at,
        setup_state.pricing_view_count,
        setup_state.support_ticket_count,
        setup_state.status_view_count,
        setup_state.last_viewed_status,
        setup_state.setup_flow_completed_count,
        setup_state.malformed_properties_count,
        setup_state.messages_sent_count,
        setup_state.last_message_sent_at,
        setup_state.last_message_journey_step,
        setup_state.reminder_1_minutes,
        setup_state.reminder_2_minutes,
        setup_state.reminder_3_minutes,
        setup_state.needs_admin_since,
        setup_state.is_admin_needed,
        setup_state.abandoned_at,
        setup_state.next_change_at,
        setup_state.account_bucket,
        accounts.account_name,
        accounts.plan_tier,
        accounts.acquisition_source,
        accounts.signed_up_at,
        -- The response row of the last error's code (null for a code the taxonomy does not list).
        error_taxonomy.failure_shape as last_error_failure_shape,
        error_taxonomy.surface as last_error_surface,
        error_taxonomy.first_response as last_error_first_response,
        error_taxonomy.guardrail as last_error_guardrail,
        error_taxonomy.owner as last_error_owner
    from setup_state
    inner join accounts
        on setup_state.account_id = accounts.account_id
    left join error_taxonomy
        on setup_state.last_error_code = error_taxonomy.error_code

)

select * from final
