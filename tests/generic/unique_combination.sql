{#- The combination of `columns` is unique (null-safe: nulls compare equal). Returns duplicates. -#}
{% test unique_combination(model, columns) %}
    {{- require_column_list('unique_combination', 'columns', columns, at_least=2,
        hint='; for a single column use the built-in `unique` test') }}
    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
