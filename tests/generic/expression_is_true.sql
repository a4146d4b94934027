{#- Every row satisfies `expression` (optionally only rows matching `row_filter`;
    dbt's own `where` config works too). Returns the rows that do not. -#}
{% test expression_is_true(model, expression, row_filter=none, column_name=none) %}
    {%- if expression is none or expression | trim == '' -%}
        {{ exceptions.raise_compiler_error("expression_is_true needs a non-empty `expression:` argument, e.g. 'completed_at >= started_at'.") }}
    {%- endif %}
    select *
    from {{ model }}
    where
        not coalesce({{ expression }}, false)
        {%- if row_filter %}
            and ({{ row_filter }})
        {%- endif %}
{% endtest %}
