{#-
    column_name is unique over the whole table, checked for the values of the rows the run wrote:
    the rows received from run_tests_start() on (and those without received_at). A repeated value
    always involves a row some run wrote, and run_tests_start() reaches back to the last run whose
    tests passed, so every repeat is found once, without grouping the whole history every night.
    On a full build (or before the run's batch exists) the scope is every row: a plain group by.
    Returns each repeated value with its row count.
-#}
{% test unique_in_table_for_run_rows(model, column_name) %}
    {%- set scope_start = run_tests_start() %}
    select
        {{ column_name }},
        count(*) as row_count
    from {{ model }}
    where
        {{ column_name }} is not null
        {%- if scope_start != before_every_row() %}
        and {{ column_name }} in (
            select run_rows.{{ column_name }}
            from {{ model }} as run_rows
            where {{ received_in_this_run(scope_start, 'run_rows') }}
        )
        {%- endif %}
    group by {{ column_name }}
    having count(*) > 1
{% endtest %}
