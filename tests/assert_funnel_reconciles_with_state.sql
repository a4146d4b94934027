-- The funnel accounts for every started setup exactly once: per integration_type, step 1's
-- setups_started equals the rows of account_integration_state, and the completion step's
-- setups_reached equals the setups completed within the conversion window. Returns mismatches.
with

funnel as (

    select * from {{ ref('setup_funnel') }}

),

setups as (

    select * from {{ ref('account_integration_state') }}

),

funnel_totals as (

    select
        integration_type,
        sum(case when step_number = 1 then setups_started else 0 end) as funnel_started,
        sum(case when is_completion_step then setups_reached else 0 end) as funnel_completed
    from funnel
    group by integration_type

),

state_totals as (

    select
        integration_type,
        count(*) as state_started,
        count(
            case when completed_at <= {{ threshold_after('conversion_window_days', 'started_at') }} then 1 end
        ) as state_completed_within_window
    from setups
    group by integration_type

),

final as (

    select
        coalesce(funnel_totals.integration_type, state_totals.integration_type) as integration_type,
        funnel_totals.funnel_started,
        state_totals.state_started,
        funnel_totals.funnel_completed,
        state_totals.state_completed_within_window
    from funnel_totals
    full outer join state_totals
        on funnel_totals.integration_type = state_totals.integration_type
    where
        coalesce(funnel_totals.funnel_started, -1) <> coalesce(state_totals.state_started, -1)
        or coalesce(funnel_totals.funnel_completed, -1) <> coalesce(state_totals.state_completed_within_window, -1)

)

select * from final
