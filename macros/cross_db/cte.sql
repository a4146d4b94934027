{#-
    `batch as {{ cte_not_materialized() }} (...)`: evaluate the CTE where it is read instead of
    holding its result. DuckDB materialises a CTE that is read more than once; when the CTE is a
    full build's every raw row, holding it spills to disk at 100M events, and reading raw again is
    cheaper. Engines without the hint (Spark, Trino) inline CTEs anyway.
-#}

{% macro cte_not_materialized() %}
    {{ return(adapter.dispatch('cte_not_materialized', 'setup_journeys')()) }}
{% endmacro %}

{% macro default__cte_not_materialized() %}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__cte_not_materialized() %}
    {{ return('not materialized') }}
{% endmacro %}

{% macro postgres__cte_not_materialized() %}
    {{ return('not materialized') }}
{% endmacro %}
