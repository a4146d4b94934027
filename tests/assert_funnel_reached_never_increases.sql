-- A funnel never widens: within a group (cohort week x integration x plan x source x starter
-- role) setups_reached never increases along step_number, every step has the same
-- setups_started, and reached + pending + dropped = started. Returns the offending rows.
with

funnel as (

    select * from {{ ref('setup_funnel') }}

),

compared as (

    select
        funnel.*,
        lag(setups_reached) over (
            partition by cohort_week, integration_type, plan_tier, acquisition_source, starter_role
            order by step_number
        ) as previous_setups_reached,
        lag(setups_started) over (
            partition by cohort_week, integration_type, plan_tier, acquisition_source, starter_role
            order by step_number
        ) as previous_setups_started
    from funnel

),

final as (

    select *
    from compared
    where
        setups_reached > previous_setups_reached
        or setups_started <> previous_setups_started
        or setups_reached + setups_pending + setups_dropped <> setups_started
        or (step_number = 1 and setups_reached <> setups_started)

)

select * from final
