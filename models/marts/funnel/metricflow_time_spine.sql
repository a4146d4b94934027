{#-
    Daily time spine MetricFlow (the dbt semantic layer) needs for time-based joins: one row per
    day from 1 January five years before as_of to one year after it. Not queried by the marts.
-#}
{%- set as_of = as_of_datetime() -%}
{%- set first_day = modules.datetime.date(as_of.year - 5, 1, 1) -%}
{%- set end_day = modules.datetime.date(as_of.year + 2, 1, 1) -%}

with

days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ first_day.isoformat() ~ "' as date)",
        "cast('" ~ end_day.isoformat() ~ "' as date)"
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
