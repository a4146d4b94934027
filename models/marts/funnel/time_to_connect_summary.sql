{#-
    Time-to-connect summary per integration_type x cohort_week: completion rates (all setups, and
    only those whose conversion window has closed), percentiles of minutes to complete among the
    setups that completed, signup to first completed integration, error recovery, and activation
    (workflow_launched) for completed versus not completed setups.
    The percentiles here only see setups that completed; time_to_connect_percentiles gives the
    censoring-aware (Kaplan-Meier) ones.
-#}

with

setups as (

    select * from {{ ref('time_to_connect') }}

),

aggregated as (

    select
        integration_type,
        cohort_week,
        count(*) as setups_started,
        count(case when is_completed then 1 end) as setups_completed,
        count(case when is_completed_within_window then 1 end) as setups_completed_within_window,
        count(case when is_completion_pending then 1 end) as setups_pending,
        count(case when not is_window_open then 1 end) as setups_window_closed,
        count(case when is_completed_within_window and not is_window_open then 1 end)
            as setups_completed_window_closed,
        {{ percentile('minutes_to_complete', 0.5) }} as p50_minutes_to_complete,
        {{ percentile('minutes_to_complete', 0.75) }} as p75_minutes_to_complete,
        {{ percentile('minutes_to_complete', 0.9) }} as p90_minutes_to_complete,
        count(case when is_first_completed_integration then 1 end) as accounts_first_completed,
        {{ percentile('case when is_first_completed_integration then signup_to_complete_minutes end', 0.5) }}
            as p50_signup_to_first_completion_minutes,
        count(case when has_error then 1 end) as setups_with_error,
        count(case when is_error_recovered then 1 end) as setups_error_recovered,
        count(case when is_completed and is_account_activated then 1 end) as setups_completed_activated,
        count(case when not is_completed then 1 end) as setups_not_completed,
        count(case when not is_completed and is_account_activated then 1 end)
            as setups_not_completed_activated
    from setups
    group by integration_type, cohort_week

),

final as (

    select
        {{ stable_hash(['integration_type', 'cohort_week']) }} as summary_key,
        integration_type,
        cohort_week,
        setups_started,
        setups_completed,
        setups_completed_within_window,
        setups_pending,
        setups_window_closed,
        setups_completed_window_closed,
        cast(setups_completed_within_window as {{ type_double() }}) / setups_started as completion_rate,
        cast(setups_completed_window_closed as {{ type_double() }})
        / nullif(setups_window_closed, 0) as completion_rate_closed,
        p50_minutes_to_complete,
        p75_minutes_to_complete,
        p90_minutes_to_complete,
        accounts_first_completed,
        p50_signup_to_first_completion_minutes,
        setups_with_error,
        setups_error_recovered,
        cast(setups_error_recovered as {{ type_double() }}) / nullif(setups_with_error, 0)
            as error_recovery_rate,
        setups_completed_activated,
        cast(setups_completed_activated as {{ type_double() }}) / nullif(setups_completed, 0)
            as activation_rate_completed,
        setups_not_completed,
        setups_not_completed_activated,
        cast(setups_not_completed_activated as {{ type_double() }}) / nullif(setups_not_completed, 0)
            as activation_rate_not_completed
    from aggregated

)

select * from final
