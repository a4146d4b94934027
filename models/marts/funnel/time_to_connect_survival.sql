{#-
    Kaplan-Meier survival curve of time from start to completion, per integration_type: one row
    per integration type and distinct observed time (minutes after started_at) at which a setup
    completed or was censored. Setups not completed at as_of (in progress, blocked, abandoned)
    are censored at as_of. S(t) = product over event times t_i <= t of (1 - d_i / n_i), where
    n_i = setups still at risk (observed time >= t_i) and d_i = completions at t_i; setups
    censored at t_i count as at risk at t_i (the usual convention, as in lifelines).
    The running product is exp(running sum of ln(1 - d/n)); a factor of 0 (every setup at risk
    completes) has no logarithm, so the curve is set to 0 from that time on. exp(sum(ln)) is
    not exact (5 completions out of 10 can give 0.5000000000000001), so probabilities are rounded
    to 12 decimals: percentiles read off the curve then land on the exact step.
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
        count(case when not is_censored then 1 end) as setups_completed,
        count(case when is_censored then 1 end) as setups_censored
    from setups
    group by integration_type, observed_minutes

),

at_risk as (

    select
        per_time.*,
        cast(sum(setups_observed) over (
            partition by integration_type
            order by minutes_since_start desc
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as setups_at_risk,
        row_number() over (partition by integration_type order by minutes_since_start) as time_index
    from per_time

),

factors as (

    select
        at_risk.*,
        case when setups_completed >= setups_at_risk then 1 else 0 end as is_factor_zero,
        case
            when setups_completed < setups_at_risk
                then ln(1.0 - cast(setups_completed as {{ type_double() }}) / setups_at_risk)
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

curve as (

    select
        cumulative.*,
        case when has_reached_zero = 1 then 0.0 else exp(cumulative_log_survival) end as survival_probability
    from cumulative

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
        round(survival_probability, 12) as survival_probability,
        round(1.0 - survival_probability, 12) as cumulative_completion
    from curve

)

select * from final
