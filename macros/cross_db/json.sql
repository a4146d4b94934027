{#- JSON helpers. properties is JSON object text; malformed text must not fail the load. -#}

{% macro json_is_object(column) %}
    {{ return(adapter.dispatch('json_is_object', 'setup_journeys')(column)) }}
{% endmacro %}

{% macro default__json_is_object(column) %}
    {#- Spark / Databricks: from_json returns null for text that does not parse as an object. -#}
    (from_json({{ column }}, 'map<string,string>') is not null)
{% endmacro %}

{% macro duckdb__json_is_object(column) %}
    (case when json_valid({{ column }}) then json_type({{ column }}) = 'OBJECT' else false end)
{% endmacro %}

{% macro postgres__json_is_object(column) %}
    {#- PostgreSQL 15 has no IS JSON: accept text shaped like an object that casts cleanly. -#}
    ({{ column }} ~ '^\s*\{.*\}\s*$' and {{ setup_journeys.postgres_json_valid(column) }})
{% endmacro %}

{% macro postgres_json_valid(column) %}
    (pg_input_is_valid({{ column }}, 'jsonb'))
{% endmacro %}


{% macro json_text(column, key) %}
    {{ return(adapter.dispatch('json_text', 'setup_journeys')(column, key)) }}
{% endmacro %}

{% macro default__json_text(column, key) %}
    get_json_object({{ column }}, '$.{{ key }}')
{% endmacro %}

{% macro duckdb__json_text(column, key) %}
    json_extract_string({{ column }}, '$.{{ key }}')
{% endmacro %}

{% macro postgres__json_text(column, key) %}
    (cast({{ column }} as jsonb) ->> '{{ key }}')
{% endmacro %}
