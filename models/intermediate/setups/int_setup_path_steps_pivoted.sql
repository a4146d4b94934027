{#- One row per setup path: its step names side by side and its number of steps (the last is completion). -#}
with

path_steps as (

    select * from {{ ref('setup_path_steps') }}

),

final as (

    select
        setup_path,
        {%- for step in range(1, 5) %}
        max(case when step_number = {{ step }} then step_name end) as step_{{ step }}_name,
        {%- endfor %}
        count(*) as step_count
    from path_steps
    group by setup_path

)

select * from final
