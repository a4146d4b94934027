{% macro regexp_replace_all(expression, pattern, replacement) %}
    {{ return(adapter.dispatch('regexp_replace_all', 'setup_journeys')(expression, pattern, replacement)) }}
{% endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) %}
    {#- Spark, Trino: regexp_replace replaces every match. -#}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{% endmacro %}

{% macro duckdb__regexp_replace_all(expression, pattern, replacement) %}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{% endmacro %}

{% macro postgres__regexp_replace_all(expression, pattern, replacement) %}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{% endmacro %}


{% macro normalize_name(expression) %}
    {#- SPEC 3: trim, lower-case, runs of spaces or hyphens become '_'. -#}
    nullif({{ setup_journeys.regexp_replace_all('lower(trim(' ~ expression ~ '))', '[[:space:]-]+', '_') }}, '')
{% endmacro %}


{% macro stable_hash(expressions) %}
    {#- Deterministic text key from a list of SQL expressions; nulls and separators are explicit
        so ('a', null) and (null, 'a') never collide. Same input, same key, on every engine. -#}
    {%- set parts = [] -%}
    {%- for expression in expressions -%}
        {%- do parts.append("coalesce(cast(" ~ expression ~ " as " ~ dbt.type_string() ~ "), '<null>')") -%}
        {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{% endmacro %}
