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

{% macro spark__round_to(expression, digits) -%}
    {#- DuckDB rounds the exact binary value of a double half away from zero (round(0.15, 1) = 0.1,
        as 0.15 is stored as 0.1499999...); Spark's round() rounds its shortest decimal text (0.2).
        This rounds like DuckDB in plain doubles: p = |x| * 10^digits rounded half away, except
        when p lands exactly on .5 only through rounding of the product, which the exact error of
        the product (Dekker's two-product, Veltkamp split of |x|) detects. -#}
    {%- set x = '(' ~ expression ~ ')' -%}
    {%- set scale = '1e' ~ digits -%}
    {%- set a = 'abs(' ~ x ~ ')' -%}
    {%- set p = '(' ~ a ~ ' * ' ~ scale ~ ')' -%}
    {%- set c = '(134217729.0d * ' ~ a ~ ')' -%}
    {%- set hi = '(' ~ c ~ ' - (' ~ c ~ ' - ' ~ a ~ '))' -%}
    {%- set lo = '(' ~ a ~ ' - ' ~ hi ~ ')' -%}
    {%- set product_error = '((' ~ hi ~ ' * ' ~ scale ~ ' - ' ~ p ~ ') + ' ~ lo ~ ' * ' ~ scale ~ ')' -%}
    (signum({{ x }}) * (
        floor({{ p }} + 0.5d)
        - case when {{ p }} - floor({{ p }}) = 0.5d and {{ product_error }} < 0 then 1 else 0 end
    ) / {{ scale }})
{%- endmacro %}

{% macro postgres__round_to(expression, digits) -%}
    cast(round(cast({{ expression }} as numeric), {{ digits }}) as double precision)
{%- endmacro %}
