{#-
    Elapsed time helpers for the funnel and time-to-connect marts.

    minutes_between(start, end): elapsed minutes (fractional, seconds kept) from start to end.
    dbt.datediff counts calendar boundaries crossed (10:59 -> 11:01 is "1 hour"), which is
    not elapsed time, so each engine gets an exact expression.

    conversion_window_end(started_at): the end of a setup's conversion window
    (var conversion_window_days after started_at; a step counts only when reached by then).
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


{% macro conversion_window_end(started_at) -%}
    {#- In minutes, so a fractional var (1.5 days) is honoured. -#}
    {{ dbt.dateadd('minute', (setting('conversion_window_days') * 1440) | int, started_at) }}
{%- endmacro %}

