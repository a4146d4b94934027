{#- The combination of `columns` is unique (null-safe: nulls compare equal). Returns duplicates. -#}
{% test unique_combination(model, columns) %}
    {%- if columns is string or columns | length < 2 -%}
        {{ exceptions.raise_compiler_error(
            "unique_combination needs `columns:` to be a list of at least two column names (got " ~ columns ~ "); "
            ~ "for a single column use the built-in `unique` test."
        ) }}
    {%- endif %}
    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
