{#-
    How far every setup got as of as_of (SPEC 5): reached_at per step with implied progress (a
    later step implies the earlier ones), started, completed, last progress, the last reached and
    the next required step, and whether the latest error came after last progress. One row per
    setup (account x integration_type), with the setup's catalog row and path. The one home of
    "progress": the errors-after-progress rule and the setup state read it.
-#}
{#- reached_at(k) = earliest visible event among steps k..4: step_k_columns[k] lists them. -#}
{%- set step_k_columns = {} -%}
{%- for step in range(1, 5) -%}
{%- set columns = [] -%}
{%- for later in range(step, 5) -%}{%- do columns.append('setups.step_' ~ later ~ '_first_at') -%}{%- endfor -%}
{%- do step_k_columns.update({step: columns}) -%}
{%- endfor -%}

with

setups as (

    select * from {{ ref('int_setups_aggregated') }}
    where integration_type is not null

),

catalog as (

    select * from {{ ref('int_integration_catalog_resolved') }}

),

paths as (

    select * from {{ ref('int_setup_path_steps_pivoted') }}

),

reached as (

    select
        setups.*,
        catalog.display_name,
        catalog.category,
        catalog.requires_admin,
        catalog.is_missing_from_catalog,
        catalog.reminder_1_minutes,
        catalog.reminder_2_minutes,
        catalog.reminder_3_minutes,
        {%- for step in range(1, 5) %}
        paths.step_{{ step }}_name,
        case
            when {{ step }} <= paths.step_count
                then {{ least_not_null(step_k_columns[step]) }}
        end as step_{{ step }}_reached_at,
        {%- endfor %}
        paths.step_count
    from setups
    left join catalog
        on setups.integration_type = catalog.integration_type
    left join paths
        on setups.setup_path = paths.setup_path

),

progressed as (

    select
        reached.*,
        case
            {%- for step in range(4, 0, -1) %}
            when step_{{ step }}_reached_at is not null then {{ step }}
            {%- endfor %}
            else 0
        end as highest_reached_step
    from reached

),

measured as (

    select
        progressed.*,
        step_1_reached_at as started_at,
        case
            {%- for step in range(1, 5) %}
            when step_count = {{ step }} then step_{{ step }}_reached_at
            {%- endfor %}
        end as completed_at,
        case
            {%- for step in range(1, 5) %}
            when highest_reached_step = {{ step }} then step_{{ step }}_reached_at
            {%- endfor %}
        end as last_progress_at,
        case
            {%- for step in range(1, 5) %}
            when highest_reached_step + 1 = {{ step }} and {{ step }} <= step_count then step_{{ step }}_name
            {%- endfor %}
        end as next_required_step,
        case when highest_reached_step < step_count then highest_reached_step + 1 end as next_required_step_number,
        case
            {%- for step in range(1, 5) %}
            when highest_reached_step = {{ step }} then step_{{ step }}_name
            {%- endfor %}
        end as last_reached_step
    from progressed

),

final as (

    select
        measured.*,
        measured.last_error_at is not null
        and {{ is_after_progress('measured.last_error_at', 'measured.last_progress_at') }}
            as is_last_error_after_progress
    from measured

)

select * from final
