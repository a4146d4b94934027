{#-
    p50 / p75 / p90 minutes from start to completion per integration_type, read off the
    Kaplan-Meier curve (time_to_connect_survival): the p-th percentile is the smallest observed
    time t with S(t) <= 1 - p. Null when the curve never gets that low (too many setups still
    open or never completing): the honest answer is "not yet known", not the median of the
    setups that happened to finish. The completed-only median is kept beside it for contrast.
-#}

with

curve as (

    select * from {{ ref('time_to_connect_survival') }}

),

setups as (

    select * from {{ ref('time_to_connect') }}

),

from_curve as (

    select
        integration_type,
        {{ sum_of_counts('setups_completed + setups_censored') }} as setups_started,
        {{ sum_of_counts('setups_completed') }} as setups_completed,
        {{ sum_of_counts('setups_censored') }} as setups_censored,
        {#- read at survival level 1 - p, written out (1 - 0.9 is not 0.1 in floats) -#}
        {%- for percentile, survival_level in [(50, '0.5'), (75, '0.25'), (90, '0.1')] %}
        min(case when survival_probability <= {{ survival_level }} then minutes_since_start end)
            as km_p{{ percentile }}_minutes_to_complete,
        {%- endfor %}
        min(survival_probability) as final_survival_probability
    from curve
    group by integration_type

),

completed_only as (

    select
        integration_type,
        {{ percentile('minutes_to_complete', 0.5) }} as completed_only_p50_minutes_to_complete
    from setups
    group by integration_type

),

final as (

    select
        from_curve.integration_type,
        from_curve.setups_started,
        from_curve.setups_completed,
        from_curve.setups_censored,
        {{ round_to('1.0 - from_curve.final_survival_probability', 12) }} as final_cumulative_completion,
        from_curve.km_p50_minutes_to_complete,
        from_curve.km_p75_minutes_to_complete,
        from_curve.km_p90_minutes_to_complete,
        completed_only.completed_only_p50_minutes_to_complete
    from from_curve
    left join completed_only
        on from_curve.integration_type = completed_only.integration_type

)

select * from final
