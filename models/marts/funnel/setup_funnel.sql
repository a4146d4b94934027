{#-
    The setup funnel: one row per cohort_week x integration_type x plan_tier x acquisition_source
    x starter_role x step of the integration's path. A setup reaches a step only when it does so
    within the conversion window (var conversion_window_days after started_at); a setup that has
    not reached the step while its window is still open at as_of is pending, not dropped.
-#}
{%- set as_of = as_of_literal() -%}
{%- set group_columns = ['cohort_week', 'integration_type', 'plan_tier', 'acquisition_source', 'starter_role'] -%}

with

setups as (

    select * from {{ ref('time_to_connect') }}

),

path_steps as (

    select * from {{ ref('setup_path_steps') }}

),

setup_steps as (

    -- One row per setup and step of its path (3 or 4 rows per setup).
    select
        setups.cohort_week,
        setups.integration_type,
        setups.setup_path,
        setups.plan_tier,
        setups.acquisition_source,
        setups.starter_role,
        setups.started_at,
        path_steps.step_number,
        path_steps.step_name,
        path_steps.is_completion_step,
        case path_steps.step_number
            when 1 then setups.started_at
            when 2 then setups.step_2_reached_at
            when 3 then setups.step_3_reached_at
            when 4 then setups.step_4_reached_at
        end as step_reached_at,
        case path_steps.step_number
            when 2 then setups.started_at
            when 3 then setups.step_2_reached_at
            when 4 then setups.step_3_reached_at
        end as previous_step_reached_at,
        {{ threshold_after('conversion_window_days', 'setups.started_at') }} as conversion_window_ends_at
    from setups
    inner join path_steps
        on setups.setup_path = path_steps.setup_path

),

flagged as (

    select
        setup_steps.*,
        coalesce(step_reached_at <= conversion_window_ends_at, false) as is_reached,
        conversion_window_ends_at > {{ as_of }} as is_window_open
    from setup_steps

),

aggregated as (

    select
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        setup_path,
        step_number,
        step_name,
        is_completion_step,
        count(*) as setups_started,
        count(case when is_reached then 1 end) as setups_reached,
        count(case when not is_reached and is_window_open then 1 end) as setups_pending,
        count(case when not is_reached and not is_window_open then 1 end) as setups_dropped,
        count(case when not is_window_open then 1 end) as setups_window_closed,
        count(case when is_reached and not is_window_open then 1 end) as setups_reached_window_closed,
        {{ percentile(
            'case when is_reached and step_number > 1 then '
            ~ minutes_between('previous_step_reached_at', 'step_reached_at') ~ ' end',
            0.5
        ) }} as median_minutes_from_previous
    from flagged
    group by
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        setup_path,
        step_number,
        step_name,
        is_completion_step

),

with_previous as (

    select
        aggregated.*,
        lag(setups_reached) over (
            partition by {{ group_columns | join(', ') }}
            order by step_number
        ) as previous_step_setups_reached
    from aggregated

),

final as (

    select
        {{ stable_hash(group_columns + ['step_number']) }} as funnel_key,
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        setup_path,
        step_number,
        step_name,
        is_completion_step,
        setups_started,
        setups_reached,
        setups_pending,
        setups_dropped,
        setups_window_closed,
        setups_reached_window_closed,
        cast(setups_reached as {{ type_double() }}) / setups_started as conversion_from_start,
        case
            when step_number = 1 then 1.0
            else cast(setups_reached as {{ type_double() }}) / nullif(previous_step_setups_reached, 0)
        end as conversion_from_previous,
        cast(setups_reached_window_closed as {{ type_double() }})
        / nullif(setups_window_closed, 0) as conversion_from_start_closed,
        median_minutes_from_previous,
        {{ as_of }} as as_of
    from with_previous

)

select * from final
