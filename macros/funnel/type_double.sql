{% macro type_double() %}
    {#- A 64-bit float. dbt.type_float() is 'float', which DuckDB reads as a 32-bit REAL
        (0.8 becomes 0.800000011921): too coarse for rates and survival probabilities. -#}
    {{ return(adapter.dispatch('type_double', 'setup_journeys')()) }}
{% endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}
