{#-
    Treatment versus holdout, per journey step x integration_type x plan_tier, plus one row per
    journey step x integration_type over every plan (plan_tier = 'all') and one per journey step
    over every integration and plan (integration_type = plan_tier = 'all'); the row
    journey_step = 'all_steps', integration_type = 'all' is the overall comparison. Intent to
    treat: every setup eligible for the step counts in its group (int_journey_lift_setups),
    messaged or not. Rates: completion within the conversion window and account activation,
    with absolute lift (treatment - holdout) and its 95 % Newcombe hybrid score interval, and
    relative lift (treatment / holdout - 1) with the Katz log interval (macros/stats). Below
    lift_min_setups_per_group setups in either group, the lifts are null and lift_status says
    insufficient_data.
-#}
{%- set minimum = setting('lift_min_setups_per_group') -%}
{%- set rates = ['completed', 'activated'] -%}

with

setups as (

    select * from {{ ref('int_journey_lift_setups') }}

),

expanded as (

    select
        'journey_step x integration_type x plan_tier' as breakdown,
        setups.journey_step,
        setups.account_id,
        setups.integration_type,
        setups.plan_tier,
        setups.cohort_week,
        setups.holdout_bucket,
        setups.experiment_group,
        setups.is_completed_within_window,
        setups.is_window_open,
        setups.minutes_to_complete_within_window,
        setups.is_account_activated,
        setups.messages_sent
    from setups
    union all
    select
        'journey_step' as breakdown,
        setups.journey_step,
        setups.account_id,
        'all' as integration_type,
        'all' as plan_tier,
        setups.cohort_week,
        setups.holdout_bucket,
        setups.experiment_group,
        setups.is_completed_within_window,
        setups.is_window_open,
        setups.minutes_to_complete_within_window,
        setups.is_account_activated,
        setups.messages_sent
    from setups
    union all
    select
        'journey_step x integration_type' as breakdown,
        setups.journey_step,
        setups.account_id,
        setups.integration_type,
        'all' as plan_tier,
        setups.cohort_week,
        setups.holdout_bucket,
        setups.experiment_group,
        setups.is_completed_within_window,
        setups.is_window_open,
        setups.minutes_to_complete_within_window,
        setups.is_account_activated,
        setups.messages_sent
    from setups

),

grouped as (

    select
        breakdown,
        journey_step,
        integration_type,
        coalesce(plan_tier, 'unknown') as plan_tier,
        {%- for group in ['treatment', 'holdout'] %}
        count(case when experiment_group = '{{ group }}' then 1 end) as {{ group }}_setups,
        count(case when experiment_group = '{{ group }}' and is_completed_within_window then 1 end)
            as {{ group }}_completed,
        count(case when experiment_group = '{{ group }}' and is_account_activated then 1 end)
            as {{ group }}_activated,
        count(case when experiment_group = '{{ group }}' and messages_sent > 0 then 1 end)
            as {{ group }}_setups_messaged,
        {{ percentile("case when experiment_group = '" ~ group ~ "' then minutes_to_complete_within_window end", 0.5) }}
            as {{ group }}_median_minutes_to_connect,
        {%- endfor %}
        count(*) as setups
    from expanded
    group by breakdown, journey_step, integration_type, coalesce(plan_tier, 'unknown')

),

rated as (

    select
        grouped.*,
        {%- for rate in rates %}
        {%- for group in ['treatment', 'holdout'] %}
        cast({{ group }}_{{ rate }} as {{ type_double() }}) / nullif({{ group }}_setups, 0)
            as {{ group }}_{{ rate.replace('completed', 'completion').replace('activated', 'activation') }}_rate,
        {%- endfor %}
        {%- endfor %}
        treatment_setups < {{ minimum }} or holdout_setups < {{ minimum }} as is_insufficient
    from grouped

),

final as (

    select
        {{ stable_hash(['breakdown', 'journey_step', 'integration_type', 'plan_tier']) }} as lift_id,
        breakdown,
        journey_step,
        integration_type,
        plan_tier,
        journey_step = 'all_steps' and integration_type = 'all' as is_overall,
        case
            when is_insufficient then 'insufficient_data'
            when holdout_setups_messaged > 0 then 'holdout_received_messages'
            else 'ok'
        end as lift_status,
        treatment_setups,
        holdout_setups,
        treatment_setups_messaged,
        holdout_setups_messaged,
        {%- for rate in rates %}
        {%- set name = rate.replace('completed', 'completion').replace('activated', 'activation') %}
        treatment_{{ rate }},
        holdout_{{ rate }},
        treatment_{{ name }}_rate,
        holdout_{{ name }}_rate,
        case when not is_insufficient then treatment_{{ name }}_rate - holdout_{{ name }}_rate end
            as {{ name }}_rate_lift,
        case
            when not is_insufficient then
                {{ newcombe_difference_bound('treatment_' ~ rate, 'treatment_setups', 'holdout_' ~ rate, 'holdout_setups', 'lower') }}
        end as {{ name }}_rate_lift_ci_lower,
        case
            when not is_insufficient then
                {{ newcombe_difference_bound('treatment_' ~ rate, 'treatment_setups', 'holdout_' ~ rate, 'holdout_setups', 'upper') }}
        end as {{ name }}_rate_lift_ci_upper,
        case when not is_insufficient then treatment_{{ name }}_rate / nullif(holdout_{{ name }}_rate, 0) - 1 end
            as {{ name }}_rate_relative_lift,
        case
            when not is_insufficient then
                {{ log_ratio_bound('treatment_' ~ rate, 'treatment_setups', 'holdout_' ~ rate, 'holdout_setups', 'lower') }} - 1
        end as {{ name }}_rate_relative_lift_ci_lower,
        case
            when not is_insufficient then
                {{ log_ratio_bound('treatment_' ~ rate, 'treatment_setups', 'holdout_' ~ rate, 'holdout_setups', 'upper') }} - 1
        end as {{ name }}_rate_relative_lift_ci_upper,
        {%- endfor %}
        treatment_median_minutes_to_connect,
        holdout_median_minutes_to_connect,
        case when not is_insufficient then treatment_median_minutes_to_connect - holdout_median_minutes_to_connect end
            as median_minutes_to_connect_difference,
        {{ setting('lift_holdout_percent') }} as lift_holdout_percent,
        {{ as_of_literal() }} as as_of
    from rated

)

select * from final
