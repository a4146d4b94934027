{#-
    The state of every setup as of as_of (SPEC 5 and 6): its progress (int_setup_progress), its
    status, the per-setup summary of the repeated-errors rule (int_setup_errors_after_progress),
    the starter, messages already sent (int_setup_messages_sent), and the needs-admin and
    abandoned rules. Every account with events is here, known to raw.accounts or not; the marts
    keep the known ones. A table: segments, funnel, journey and the marts all read it.

    Incremental by account (delete+insert on account_id; account buckets on Spark): a row only
    changes when one of its inputs does, so a run recomputes the accounts that
    `setup_state_accounts_to_recompute` lists:
    - a setup whose visible events changed: its event_count in int_setups_aggregated differs from
      the stored one (staged events are only added), or it is not stored yet;
    - a setup whose messages sent (count, latest) differ from the stored ones;
    - a setup whose starter's role or admin flag differs from the stored one (user CDC, user_roles);
    - a setup whose next_change_at has come: the time at which the passing of time alone changes
      its row (abandoned after abandoned_after_days without events, admin needed
      needs_admin_after_hours after the start), computed beside the rules below;
    - a setup whose catalog row, path steps or thresholds (rules_fingerprint) changed.
    Each is a comparison with this table, not a watermark, so a run that skipped this model leaves
    no account behind. When as_of moves backwards the pre-hook empties the table first.
-#}
{{ config(pre_hook="{{ reset_when_as_of_moves_back_or_rules_change() }}", **incremental_by_account()) }}

{%- set as_of = as_of_literal() -%}
{%- set recompute_filter = in_accounts_to_recompute() -%}
{#- Read by the incremental branch only (which setups' events changed). -#}
{%- set aggregated = ref('int_setups_aggregated') -%}

with

all_progress as (

    select * from {{ ref('int_setup_progress') }}

),

messages_sent as (

    select * from {{ ref('int_setup_messages_sent') }}

),

users as (

    select * from {{ ref('stg_raw__users') }}

),

{%- if is_incremental() %}

setup_rules as (

    -- The catalog row and path steps of each integration type and path, with the thresholds the
    -- rules below read, as one fingerprint (rules_fingerprint below): a stored row with another
    -- fingerprint than its type's and path's now is recomputed.
    select
        rules.integration_type,
        rules.setup_path,
        {{ setup_rules_fingerprint('rules') }} as rules_fingerprint
    from (
        select distinct
            {{ setup_rules_columns() | join(', ') }}
        from all_progress
    ) as rules

),

accounts_to_recompute as (

    {{ setup_state_accounts_to_recompute(
        aggregated, 'messages_sent', 'users', 'setup_rules', as_of
    ) }}

),

{%- endif %}

progress as (

    select * from all_progress
    where {{ recompute_filter }}

),

errors_after_progress as (

    select * from {{ ref('int_setup_errors_after_progress') }}
    where {{ recompute_filter }}

),

repeated_errors_per_setup as (

    select
        account_id,
        integration_type,
        count(*) as repeated_error_code_count,
        min(repeated_at) as repeated_errors_since,
        {{ ordered_string_agg('error_code', ', ') }} as repeated_error_codes,
        {{ arg_max_by('error_code', ['last_repeated_at', 'error_code']) }} as latest_repeated_error_code
    from errors_after_progress
    where is_repeated
    group by account_id, integration_type

),

final as (

    select
        progress.account_id,
        progress.integration_type,
        progress.display_name,
        progress.category,
        progress.setup_path,
        progress.requires_admin,
        progress.is_missing_from_catalog,
        case
            when progress.started_at is null then 'not_started'
            when progress.completed_at is not null then 'completed'
            -- SPEC 5: no event of the setup for >= abandoned_after_days (exactly at it counts).
            when progress.last_event_at <= {{ threshold_before('abandoned_after_days', as_of) }}
                then 'abandoned'
            when progress.is_last_event_error then 'blocked'
            else 'in_progress'
        end as status,
        progress.completed_at is not null as is_completed,
        progress.started_at,
        progress.completed_at,
        progress.last_progress_at,
        progress.highest_reached_step,
        progress.last_reached_step,
        progress.next_required_step_number,
        progress.next_required_step,
        progress.step_count,
        {%- for step in range(1, 5) %}
        progress.step_{{ step }}_name,
        progress.step_{{ step }}_reached_at,
        {%- endfor %}
        progress.first_event_at,
        progress.last_event_at,
        progress.last_event_name,
        progress.is_last_event_error,
        progress.event_count,
        progress.error_count,
        progress.distinct_error_code_count,
        progress.first_error_at,
        progress.last_error_at,
        progress.last_error_code,
        progress.last_error_class,
        progress.last_error_user_id,
        progress.is_last_error_after_progress,
        coalesce(repeated_errors_per_setup.repeated_error_code_count, 0) > 0 as has_repeated_errors,
        repeated_errors_per_setup.repeated_error_codes,
        repeated_errors_per_setup.latest_repeated_error_code,
        repeated_errors_per_setup.repeated_errors_since,
        progress.starter_user_id,
        starter.role as starter_role,
        coalesce(starter.is_admin, false) as is_starter_admin,
        progress.completed_by_user_id,
        progress.initiated_by_role,
        progress.started_on_surface,
        progress.last_environment,
        progress.start_count,
        greatest(progress.start_count - 1, 0) as restart_count,
        progress.reconnect_attempt_count,
        progress.last_reconnect_at,
        progress.docs_view_count,
        progress.last_docs_viewed_at,
        progress.pricing_view_count,
        progress.support_ticket_count,
        progress.status_view_count,
        progress.last_viewed_status,
        progress.setup_flow_completed_count,
        progress.malformed_properties_count,
        coalesce(messages_sent.messages_sent_count, 0) as messages_sent_count,
        messages_sent.last_message_sent_at,
        messages_sent.last_message_journey_step,
        progress.reminder_1_minutes,
        progress.reminder_2_minutes,
        progress.reminder_3_minutes,
        -- Bookkeeping of the incremental runs (the next change is added below, with the rules).
        {{ setup_rules_fingerprint('progress') }} as rules_fingerprint,
        {{ as_of }} as computed_as_of,
        {{ account_bucket('progress.account_id') }} as account_bucket
    from progress
    left join repeated_errors_per_setup
        on
            progress.account_id = repeated_errors_per_setup.account_id
            and progress.integration_type = repeated_errors_per_setup.integration_type
    left join messages_sent
        on
            progress.account_id = messages_sent.account_id
            and progress.integration_type = messages_sent.integration_type
    left join users as starter
        on progress.starter_user_id = starter.user_id

),

with_admin_rule as (

    -- SPEC 6 needs_admin: the integration requires an admin, the starter is not one, and
    -- needs_admin_after_hours have passed since the start (not for completed setups).
    select
        final.*,
        {{ threshold_after('needs_admin_after_hours', 'final.started_at') }}
            as needs_admin_since,
        coalesce(
            final.requires_admin
            and final.starter_user_id is not null
            and not final.is_starter_admin
            and not final.is_completed
            and {{ threshold_after('needs_admin_after_hours', 'final.started_at') }} <= {{ as_of }},
            false
        ) as is_admin_needed,
        case
            when final.status = 'abandoned'
                then {{ threshold_after('abandoned_after_days', 'final.last_event_at') }}
        end as abandoned_at
    from final

),

with_next_change as (

    -- The earliest time after as_of at which the rules above give this row another value with no
    -- new input: an open setup (in progress or blocked) turns abandoned, an admin-only setup
    -- started by a non-admin turns admin-needed. Null when only new events, messages, users or
    -- rules can change it. An incremental run recomputes the setups whose time has come.
    select
        with_admin_rule.*,
        {{ least_not_null([
            "case when with_admin_rule.status in ('in_progress', 'blocked') then "
                ~ threshold_after('abandoned_after_days', 'with_admin_rule.last_event_at') ~ " end",
            "case when with_admin_rule.requires_admin and with_admin_rule.starter_user_id is not null"
                ~ " and not with_admin_rule.is_starter_admin and not with_admin_rule.is_completed"
                ~ " and not with_admin_rule.is_admin_needed then with_admin_rule.needs_admin_since end",
        ]) }} as next_change_at
    from with_admin_rule

)

select * from with_next_change
