{#-
    Continuous percentile (linear interpolation between the two nearest values, like
    numpy's default and percentile_cont) of a numeric expression, as an aggregate.
    Nulls are ignored, so `percentile('case when ... then x end', 0.5)` is a filtered median.
    Engines spell it differently, hence the dispatch.
-#}

{% macro percentile(expression, fraction) %}
    {%- if fraction is not number or fraction < 0 or fraction > 1 -%}
        {{ exceptions.raise_compiler_error(
            "percentile() needs a fraction between 0 and 1 (0.5 for the median), but got '" ~ fraction ~ "'."
        ) }}
    {%- endif -%}
    {{ return(adapter.dispatch('percentile', 'setup_journeys')(expression, fraction)) }}
{% endmacro %}

{% macro default__percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__percentile(expression, fraction) -%}
    {#- Spark / Databricks: percentile() is exact and interpolates linearly, like percentile_cont. -#}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro trino__percentile(expression, fraction) -%}
    {#- Trino has no exact continuous percentile: approx_percentile is within about 1% of rank. -#}
    approx_percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro duckdb__percentile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}
