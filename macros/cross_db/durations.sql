{#-
    Elapsed time helpers for the funnel and time-to-connect marts.

    minutes_between(start, end): elapsed minutes (fractional, seconds kept) from start to end.
    dbt.datediff counts calendar boundaries crossed (10:59 -> 11:01 is "1 hour"), which is
    not elapsed time, so each engine gets an exact expression.
    (A conversion window's end is threshold_after('conversion_window_days', started_at).)
-#}

{% macro minutes_between(start_expression, end_expression) %}
    {{ return(adapter.dispatch('minutes_between', 'setup_journeys')(start_expression, end_expression)) }}
{% endmacro %}

{% macro default__minutes_between(start_expression, end_expression) -%}
    {{ return(setup_journeys.spark__minutes_between(start_expression, end_expression)) }}
{%- endmacro %}

{% macro spark__minutes_between(start_expression, end_expression) -%}
    {#- Spark / Databricks: microseconds since the epoch (unix_timestamp() drops the fraction of a
        second), as a double: an integer / 60.0 would be DECIMAL(27,6) on Spark. -#}
    (cast(unix_micros({{ end_expression }}) - unix_micros({{ start_expression }}) as double) / 60000000.0)
{%- endmacro %}

{% macro trino__minutes_between(start_expression, end_expression) -%}
    (cast(date_diff('millisecond', {{ start_expression }}, {{ end_expression }}) as double) / 60000.0)
{%- endmacro %}

{% macro duckdb__minutes_between(start_expression, end_expression) -%}
    ((epoch({{ end_expression }}) - epoch({{ start_expression }})) / 60.0)
{%- endmacro %}

{% macro postgres__minutes_between(start_expression, end_expression) -%}
    {#- extract() returns numeric on PostgreSQL 14+: a double keeps the type of other engines. -#}
    (cast(extract(epoch from ({{ end_expression }} - {{ start_expression }})) as double precision) / 60.0)
{%- endmacro %}
