{#- arg_min / arg_max with a tie-breaking ordering (a list of expressions, compared in order).
    SPEC 6: events with equal occurred_at are ordered by step order, then event_id. -#}

{% macro arg_min_by(value, order_by, where=none) %}
    {{ return(adapter.dispatch('arg_min_by', 'setup_journeys')(value, order_by, 'min', where)) }}
{% endmacro %}

{% macro arg_max_by(value, order_by, where=none) %}
    {{ return(adapter.dispatch('arg_min_by', 'setup_journeys')(value, order_by, 'max', where)) }}
{% endmacro %}

{% macro _aggregate_filter(where) -%}
    {%- if where %} filter (where {{ where }}){% endif -%}
{%- endmacro %}

{% macro default__arg_min_by(value, order_by, direction, where) %}
    {{ return(setup_journeys.spark__arg_min_by(value, order_by, direction, where)) }}
{% endmacro %}

{% macro spark__arg_min_by(value, order_by, direction, where) %}
    {#- Spark / Databricks: min_by / max_by over a struct of the ordering keys (structs compare field by field). -#}
    {{ direction }}_by({{ value }}, struct({{ order_by | join(', ') }})){{ setup_journeys._aggregate_filter(where) }}
{% endmacro %}

{% macro trino__arg_min_by(value, order_by, direction, where) %}
    {#- Trino: the same over a row (Trino has no struct()). -#}
    {{ direction }}_by({{ value }}, row({{ order_by | join(', ') }})){{ setup_journeys._aggregate_filter(where) }}
{% endmacro %}

{% macro duckdb__arg_min_by(value, order_by, direction, where) %}
    arg_{{ direction }}({{ value }}, ({{ order_by | join(', ') }})){{ setup_journeys._aggregate_filter(where) }}
{% endmacro %}

{% macro postgres__arg_min_by(value, order_by, direction, where) %}
    {%- set sort = ' desc' if direction == 'max' else '' -%}
    (array_agg({{ value }} order by {% for key in order_by %}{{ key }}{{ sort }}{{ ', ' if not loop.last }}{% endfor %}){{ setup_journeys._aggregate_filter(where) }})[1]
{% endmacro %}


{% macro least_not_null(expressions) %}
    {#- The earliest non-null value (least() skips nulls on some engines, not on Trino). -#}
    {%- if expressions | length == 1 -%}
        {{ expressions[0] }}
    {%- else -%}
        case
        {%- for expression in expressions %}
            when {{ expression }} is not null
                {%- for other in expressions if other != expression %}
                and ({{ other }} is null or {{ expression }} <= {{ other }})
                {%- endfor %}
                then {{ expression }}
        {%- endfor %}
        end
    {%- endif -%}
{% endmacro %}


{% macro sum_of_counts(expression) %}
    {#- The sum of a count (a bigint column) as a bigint on every engine: a plain sum is a 128-bit
        HUGEINT on DuckDB and a numeric on PostgreSQL, types that pandas and reverse-ETL tools may
        not take. Counts themselves are written `count(case when ... then 1 end)`, a bigint
        everywhere (`sum(case when ... then 1 else 0 end)` is a HUGEINT on DuckDB). -#}
    {{ return('cast(sum(' ~ expression ~ ') as ' ~ dbt.type_bigint() ~ ')') }}
{% endmacro %}
