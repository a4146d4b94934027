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


{% macro round_to(expression, digits) %}
    {#- round(x, n) for a double: PostgreSQL only rounds numeric, so cast there. -#}
    {{ return(adapter.dispatch('round_to', 'setup_journeys')(expression, digits)) }}
{% endmacro %}

{% macro default__round_to(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{% macro postgres__round_to(expression, digits) -%}
    cast(round(cast({{ expression }} as numeric), {{ digits }}) as double precision)
{%- endmacro %}
