{#-
    Helpers of the project's generic tests (tests/generic): the check of a column-list argument, and
    the condition "a listed column is null", each written once.
-#}

{% macro require_column_list(test_name, argument, columns, at_least=1, hint='') %}
    {#- Stops the parse with a sentence when a generic test's argument is not a list of at least
        `at_least` column names. -#}
    {%- if columns is string or columns is not iterable or columns | length < at_least -%}
        {{ exceptions.raise_compiler_error(
            test_name ~ " needs `" ~ argument ~ ":` to be a list of " ~ ("at least " ~ at_least ~ " " if at_least > 1 else "")
            ~ "column names (got " ~ columns ~ ")" ~ hint ~ "."
        ) }}
    {%- endif -%}
{% endmacro %}


{% macro any_column_null(columns) %}
    {#- SQL condition: at least one of `columns` is null on the row. -#}
    {{- return(columns | join(' is null or ') ~ ' is null') -}}
{% endmacro %}
