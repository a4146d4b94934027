{#- The model has exactly as many rows as `compare_model` (optionally filtered). Returns one row when they differ. -#}
{% test row_count_equals(model, compare_model, row_filter=none, compare_row_filter=none) %}
    with

    left_side as (

        select count(*) as row_count from {{ model }}
        {%- if row_filter %} where {{ row_filter }}{% endif %}

    ),

    right_side as (

        select count(*) as row_count from {{ compare_model }}
        {%- if compare_row_filter %} where {{ compare_row_filter }}{% endif %}

    )

    select
        left_side.row_count as model_rows,
        right_side.row_count as compare_rows
    from left_side
    cross join right_side
    where left_side.row_count <> right_side.row_count
{% endtest %}
