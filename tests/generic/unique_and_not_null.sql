{#-
    A table's key and its required columns, checked in one query (one scan, one dbt node): the
    combination of the `unique` columns identifies at most one row (null-safe: nulls compare equal,
    as in unique_combination), and every `not_null` column is set on every row. It replaces a
    `unique` (or unique_combination) test plus not_null_columns on the same table: at the nightly
    scale each dbt test node costs more in overhead than its check (issue 14). Returns one row per
    key value that repeats or has a row with a null required column: the key, how many rows carry
    it, and how many of those rows miss a required column.
-#}
{% test unique_and_not_null(model, unique, not_null=[]) %}
    {%- for name, columns in [('unique', unique), ('not_null', not_null)] -%}
        {%- if columns is string or columns is not iterable or (name == 'unique' and columns | length < 1) -%}
            {{ exceptions.raise_compiler_error(
                "unique_and_not_null needs `" ~ name ~ ":` to be a list of column names (got " ~ columns ~ "), "
                ~ "e.g. `unique: [account_id, integration_type]`."
            ) }}
        {%- endif -%}
    {%- endfor %}
    select
        {{ unique | join(', ') }},
        count(*) as row_count,
        {%- if not_null %}
        sum(case when {{ not_null | join(' is null or ') }} is null then 1 else 0 end) as rows_missing_a_required_column
        {%- else %}
        0 as rows_missing_a_required_column
        {%- endif %}
    from {{ model }}
    group by {{ unique | join(', ') }}
    having
        count(*) > 1
        {%- if not_null %}
        or sum(case when {{ not_null | join(' is null or ') }} is null then 1 else 0 end) > 0
        {%- endif %}
{% endtest %}
