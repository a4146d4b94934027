{#-
    regexp_replace_all(expression, pattern, replacement): replace every match. Patterns are written
    once, portably: no POSIX bracket classes (`[[:space:]]` is literal text to Java regex, so Spark
    and Trino would silently mangle names), only escapes every engine reads the same way (`\s`).
    Spark's SQL parser unescapes backslashes in string literals, so its version doubles them.
-#}
{% macro regexp_replace_all(expression, pattern, replacement) %}
    {%- if '[[:' in pattern -%}
        {{ exceptions.raise_compiler_error(
            "regexp_replace_all(): the pattern '" ~ pattern ~ "' uses a POSIX class such as [[:space:]], which Java "
            ~ "regex (Spark, Trino) reads as literal characters. Write it with \\s, \\d or an explicit class."
        ) }}
    {%- endif -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'setup_journeys')(expression, pattern, replacement)) }}
{% endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) %}
    {#- Trino and engines that replace every match and keep backslashes in literals. -#}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{% endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) %}
    {#- Spark / Databricks: every match is replaced; '\\s' in a literal reaches the regex as \s. -#}
    regexp_replace({{ expression }}, '{{ pattern | replace("\\", "\\\\") }}', '{{ replacement }}')
{% endmacro %}

{% macro duckdb__regexp_replace_all(expression, pattern, replacement) %}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{% endmacro %}

{% macro postgres__regexp_replace_all(expression, pattern, replacement) %}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{% endmacro %}


{% macro normalize_name(expression) %}
    {#- SPEC 3: trim, lower-case, runs of spaces (any whitespace) or hyphens become '_'. -#}
    nullif({{ setup_journeys.regexp_replace_all('lower(trim(' ~ expression ~ '))', '[\\s-]+', '_') }}, '')
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


{% macro ordered_string_agg(expression, delimiter, distinct=false) %}
    {#- The values of a group joined by `delimiter` in ascending order (nulls skipped). dbt's
        listagg ignores its order_by on Spark, so Spark sorts the collected array instead. -#}
    {{ return(adapter.dispatch('ordered_string_agg', 'setup_journeys')(expression, delimiter, distinct)) }}
{% endmacro %}

{% macro default__ordered_string_agg(expression, delimiter, distinct) -%}
    {{ dbt.listagg(('distinct ' if distinct else '') ~ expression, "'" ~ delimiter ~ "'", 'order by ' ~ expression) }}
{%- endmacro %}

{% macro spark__ordered_string_agg(expression, delimiter, distinct) -%}
    array_join(array_sort({{ 'collect_set' if distinct else 'collect_list' }}({{ expression }})), '{{ delimiter }}')
{%- endmacro %}
