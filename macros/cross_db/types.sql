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
    {#- x rounded to `digits` decimals, half up, as a double, computed the same way on every engine:
        round() differs between engines (PostgreSQL only rounds numeric, ties away from zero, after
        converting the double to 15 significant digits; DuckDB rounds the double itself), so a value
        at a tie such as 920.05 came out 920.1 on one engine and 920.0 on the other. Multiplying a
        double by a power of ten, adding 0.5 and flooring are single IEEE operations: identical
        everywhere. Inputs must be computed the same way too (see avg_rounded). -#}
    {%- set scale = 10 ** (digits | int) -%}
    {{- return('floor(cast(' ~ expression ~ ' as ' ~ (type_double() | trim) ~ ') * ' ~ scale ~ ' + 0.5) / ' ~ scale) -}}
{% endmacro %}


{% macro avg_rounded(expression, digits) %}
    {#- avg(expression) rounded to `digits` decimals, identical on every engine: the values are summed
        as whole multiples of 10^-digits (exact in a double whatever the summation order), then
        divided once and rounded with round_to. A plain avg of doubles sums in an engine-specific
        order, and the last bits decide which way a tie rounds. -#}
    {%- set scale = 10 ** (digits | int) -%}
    {%- set double = type_double() | trim -%}
    {{- return(round_to(
        'sum(' ~ round_to(expression ~ ' * ' ~ scale, 0) ~ ') / cast(' ~ scale ~ ' * count(' ~ expression ~ ') as ' ~ double ~ ')',
        digits
    )) -}}
{% endmacro %}
