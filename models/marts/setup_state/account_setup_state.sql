{#-
    One row per account known to raw.accounts and visible at as_of (signed up by then, or with
    visible setup events), started or not: its setup stage and what decisions about it need.
-#}
{%- set as_of = as_of_literal() -%}

with

accounts as (

    select * from {{ ref('stg_raw__accounts') }}

),

setups as (

    select * from {{ ref('account_integration_state') }}

),

account_events as (

    select * from {{ ref('int_setups_aggregated') }}
    where integration_type is null

),

users as (

    -- Users who exist at as_of (created by then; created_at unknown counts as always there).
    select * from {{ ref('stg_raw__users') }}
    where created_at <= {{ as_of }} or created_at is null

),

setup_totals as (

    select
        account_id,
        count(*) as integrations_started,
        count(case when is_completed then 1 end) as integrations_completed,
        count(case when status = 'blocked' then 1 end) as integrations_blocked,
        count(case when status = 'abandoned' then 1 end) as integrations_abandoned,
        min(started_at) as first_started_at,
        min(completed_at) as first_completed_at,
        max(last_event_at) as last_setup_event_at
    from setups
    group by account_id

),

admins as (

    select
        account_id,
        count(*) as user_count,
        count(case when is_admin then 1 end) as admin_count,
        count(case when is_admin and not is_email_opt_out then 1 end) as reachable_admin_count
    from users
    group by account_id

),

final as (

    select
        accounts.account_id,
        accounts.account_name,
        accounts.plan_tier,
        accounts.acquisition_source,
        accounts.signed_up_at,
        case
            when coalesce(setup_totals.integrations_completed, 0) > 0 then 'completed'
            when coalesce(setup_totals.integrations_started, 0) > 0 then 'in_progress'
            else 'not_started'
        end as setup_stage,
        coalesce(setup_totals.integrations_started, 0) as integrations_started,
        coalesce(setup_totals.integrations_completed, 0) as integrations_completed,
        coalesce(setup_totals.integrations_blocked, 0) as integrations_blocked,
        coalesce(setup_totals.integrations_abandoned, 0) as integrations_abandoned,
        setup_totals.first_started_at,
        setup_totals.first_completed_at,
        coalesce(setup_totals.integrations_completed, 0) > 0 as is_setup_complete,
        setup_totals.last_setup_event_at,
        account_events.first_workflow_launched_at,
        account_events.last_docs_or_pricing_viewed_at as last_account_docs_or_pricing_viewed_at,
        coalesce(admins.user_count, 0) as user_count,
        coalesce(admins.admin_count, 0) as admin_count,
        coalesce(admins.reachable_admin_count, 0) > 0 as has_reachable_admin,
        accounts.plan_tier in {{ sql_list(var('high_value_plan_tiers')) }} as is_high_value,
        {{ as_of }} as as_of
    from accounts
    left join setup_totals
        on accounts.account_id = setup_totals.account_id
    left join account_events
        on accounts.account_id = account_events.account_id
    left join admins
        on accounts.account_id = admins.account_id
    where
        accounts.signed_up_at <= {{ as_of }}
        or accounts.signed_up_at is null
        or setup_totals.first_started_at is not null

)

select * from final
