{#- Every listed column is non-null on every row: one query (one scan, one dbt node) instead of a
    `not_null` test per column, which at the nightly scale cost more in per-test overhead than in
    the check itself. Returns the failing rows (the listed columns; the null ones show which). -#}
{% test not_null_columns(model, columns) %}
    {{- require_column_list('not_null_columns', 'columns', columns) }}
    select {{ columns | join(', ') }}
    from {{ model }}
    where {{ any_column_null(columns) }}
{% endtest %}
