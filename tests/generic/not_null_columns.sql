{#- Every listed column is non-null on every row: one query (one scan, one dbt node) instead of a
    `not_null` test per column, which at the nightly scale cost more in per-test overhead than in
    the check itself. Returns the failing rows (the listed columns; the null ones show which). -#}
{% test not_null_columns(model, columns) %}
    {%- if columns is string or columns | length < 1 -%}
        {{ exceptions.raise_compiler_error(
            "not_null_columns needs `columns:` to be a list of column names (got " ~ columns ~ ")."
        ) }}
    {%- endif %}
    select {{ columns | join(', ') }}
    from {{ model }}
    where
        {%- for column in columns %}
        {{ column }} is null{{ ' or' if not loop.last }}
        {%- endfor %}
{% endtest %}
