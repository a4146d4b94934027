{#- JSON helpers. properties is JSON object text; malformed text must not fail the load. -#}

{% macro json_is_object(column) %}
    {{ return(adapter.dispatch('json_is_object', 'setup_journeys')(column)) }}
{% endmacro %}

{% macro default__json_is_object(column) %}
    {{ return(setup_journeys.spark__json_is_object(column)) }}
{% endmacro %}

{% macro spark__json_is_object(column) %}
    {#- Spark / Databricks: from_json returns null for text that does not parse as an object. -#}
    (from_json({{ column }}, 'map<string,string>') is not null)
{% endmacro %}

{% macro trino__json_is_object(column) %}
    (try(cast(json_parse({{ column }}) as map(varchar, json))) is not null)
{% endmacro %}

{% macro duckdb__json_is_object(column) %}
    (case when json_valid({{ column }}) then json_type({{ column }}) = 'OBJECT' else false end)
{% endmacro %}

{% macro postgres__json_is_object(column) %}
    {#- PostgreSQL 15 cannot test JSON text without raising: see create_helper_functions. -#}
    (jsonb_typeof({{ target.schema }}.try_parse_jsonb({{ column }})) = 'object')
{% endmacro %}


{% macro json_text(column, key) %}
    {{ return(adapter.dispatch('json_text', 'setup_journeys')(column, key)) }}
{% endmacro %}

{% macro default__json_text(column, key) %}
    {{ return(setup_journeys.spark__json_text(column, key)) }}
{% endmacro %}

{% macro spark__json_text(column, key) %}
    get_json_object({{ column }}, '$.{{ key }}')
{% endmacro %}

{% macro trino__json_text(column, key) %}
    json_extract_scalar({{ column }}, '$.{{ key }}')
{% endmacro %}

{% macro duckdb__json_text(column, key) %}
    json_extract_string({{ column }}, '$.{{ key }}')
{% endmacro %}

{% macro postgres__json_text(column, key) %}
    ({{ target.schema }}.try_parse_jsonb({{ column }}) ->> '{{ key }}')
{% endmacro %}


{% macro create_helper_functions() %}
    {#- on-run-start: engines that need a helper function get it here; others run a no-op. -#}
    {{ return(adapter.dispatch('create_helper_functions', 'setup_journeys')()) }}
{% endmacro %}

{% macro default__create_helper_functions() %}
    select 1 as no_helper_functions_needed
{% endmacro %}

{% macro postgres__create_helper_functions() %}
    create schema if not exists {{ target.schema }};
    create or replace function {{ target.schema }}.try_parse_jsonb(input text) returns jsonb
    language plpgsql immutable as $body$
    begin
        return input::jsonb;
    exception when others then
        return null;
    end;
    $body$
{% endmacro %}


{#-
    Several keys of one JSON text parsed once: `json_fields(column, keys)` is the parsed value
    (select it as a column), `json_field(parsed_column, keys, key)` reads one key from it.
-#}
{% macro json_fields(column, keys) %}
    {{ return(adapter.dispatch('json_fields', 'setup_journeys')(column, keys)) }}
{% endmacro %}

{% macro default__json_fields(column, keys) %}{{ column }}{% endmacro %}

{% macro duckdb__json_fields(column, keys) -%}
    json_extract_string({{ column }}, [{% for key in keys %}'$.{{ key }}'{{ ', ' if not loop.last }}{% endfor %}])
{%- endmacro %}

{% macro postgres__json_fields(column, keys) %}{{ target.schema }}.try_parse_jsonb({{ column }}){% endmacro %}


{% macro json_field(parsed_column, keys, key) %}
    {{ return(adapter.dispatch('json_field', 'setup_journeys')(parsed_column, keys, key)) }}
{% endmacro %}

{% macro default__json_field(parsed_column, keys, key) %}{{ return(setup_journeys.spark__json_field(parsed_column, keys, key)) }}{% endmacro %}

{% macro spark__json_field(parsed_column, keys, key) %}get_json_object({{ parsed_column }}, '$.{{ key }}'){% endmacro %}

{% macro trino__json_field(parsed_column, keys, key) %}json_extract_scalar({{ parsed_column }}, '$.{{ key }}'){% endmacro %}

{% macro duckdb__json_field(parsed_column, keys, key) %}{{ parsed_column }}[{{ keys.index(key) + 1 }}]{% endmacro %}

{% macro postgres__json_field(parsed_column, keys, key) %}({{ parsed_column }} ->> '{{ key }}'){% endmacro %}
