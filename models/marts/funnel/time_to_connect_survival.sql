{#-
    Kaplan-Meier survival curve of time from start to completion, per integration_type: one row
    per integration type and distinct observed time (minutes after started_at) at which a setup
    completed or was censored. Setups not completed at as_of (in progress, blocked, abandoned)
    are censored at as_of. S(t) = product over event times t_i <= t of (1 - d_i / n_i), where
    n_i = setups still at risk (observed time >= t_i) and d_i = completions at t_i; setups
    censored at t_i count as at risk at t_i (the usual convention, as in lifelines).
    The running product is exp(running sum of ln(1 - d/n)); a factor of 0 (every setup at risk
    completes) has no logarithm, so the curve is set to 0 from that time on.
-#}

with

setups as (

    select * from {{ ref('time_to_connect') }}

),

per_time as (

    select
        integration_type,
        observed_minutes as minutes_since_start,
        count(*) as setups_observed,
        sum(case when is_censored then 0 else 1 end) as setups_completed,
        count(case when is_censored then 1 end) as setups_censored
    from setups
    group by integration_type, observed_minutes

),

at_risk as (

    select
        per_time.*,
        sum(setups_observed) over (
            partition by integration_type
            order by minutes_since_start desc
            rows between unbounded preceding and current row
        ) as setups_at_risk,
        row_number() over (partition by integration_type order by minutes_since_start) as time_index
    from per_time

),

factors as (

    select
        at_risk.*,
        case when setups_completed >= setups_at_risk then 1 else 0 end as is_factor_zero,
        case
            when setups_completed < setups_at_risk
                then ln(1.0 - cast(setups_completed as {{ dbt.type_float() }}) / setups_at_risk)
            else 0.0
        end as log_factor
    from at_risk

),

cumulative as (

    select
        factors.*,
        max(is_factor_zero) over (
            partition by integration_type
            order by time_index
            rows between unbounded preceding and current row
        ) as has_reached_zero,
        sum(log_factor) over (
            partition by integration_type
            order by time_index
            rows between unbounded preceding and current row
        ) as cumulative_log_survival
    from factors

),

final as (

    select
        {{ stable_hash(['integration_type', 'time_index']) }} as survival_key,
        integration_type,
        time_index,
        minutes_since_start,
        setups_at_risk,
        setups_completed,
        setups_censored,
        case when has_reached_zero = 1 then 0.0 else exp(cumulative_log_survival) end as survival_probability,
        1.0 - case when has_reached_zero = 1 then 0.0 else exp(cumulative_log_survival) end
            as cumulative_completion
    from cumulative

)

select * from final
