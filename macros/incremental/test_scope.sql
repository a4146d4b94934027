{% macro get_where_subquery(relation) -%}
    {#-
        dbt's wrapper of every generic data test's model (the `where` config), with one
        placeholder (dbt renders `where` without the project's macros, so the condition is filled
        in here, at run time): `__received_in_this_run__` keeps the rows received from
        run_tests_start() on, and the rows without received_at. A data test on a large table fed by
        arrival (the staged events and the duplicates) then checks the rows the run wrote, not the
        whole history again; on a full build the batch is all of raw, so it checks every row.
        Tests whose meaning needs the whole table do not use it: uniqueness of the staged event_id
        is checked over the whole table for the values of those rows (unique_in_table_for_run_rows).
    -#}
    {%- set where = config.get('where') or '' -%}
    {%- if '__received_in_this_run__' in where -%}
        {%- set where = where | replace('__received_in_this_run__', received_in_this_run(run_tests_start())) -%}
    {%- endif -%}
    {%- if where -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}


{% macro run_tests_start() %}
    {#-
        Where this run's row-level tests start, as a timestamp literal read at run time: the first
        received_at of the run's ranked batch (every row the run writes comes from it), or, if
        earlier, the newest received_at of the last run whose tests passed
        (stg_raw__setup_events_tests_passed). A night that failed its tests, or stopped before
        them, is so checked again until a run passes. Before either table exists (a new
        warehouse, dbt compile or docs generate) and on a --full-refresh run every row is in
        scope. The two models are found in the graph: a data test does not ref them.
    -#}
    {%- set every_row = before_every_row() -%}
    {#- A --full-refresh batch covers all of raw but leaves out the single arrivals, so its first
        received_at is not where the run starts: every row is the run's. -#}
    {%- if not execute or batch_leaves_out_single_arrivals() -%}
        {{ return(every_row) }}
    {%- endif -%}
    {%- set relations = {} -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model'
            and node.name in ['stg_raw__setup_events_ranked', 'stg_raw__setup_events_tests_passed'] -%}
            {%- do relations.update({node.name: adapter.get_relation(node.database, node.schema, node.alias)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set batch = relations.get('stg_raw__setup_events_ranked') -%}
    {%- set passed = relations.get('stg_raw__setup_events_tests_passed') -%}
    {%- if batch is none or passed is none -%}
        {{ return(every_row) }}
    {%- endif -%}
    {%- set start_sql -%}
        select least(
            ({{ batch_window_start_sql(batch) }}),
            (select coalesce(max(tests_passed_through), {{ every_row }}) from {{ passed }})
        )
    {%- endset -%}
    {%- set start = run_query(start_sql).columns[0].values()[0] -%}
    {{ return("cast('" ~ start ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{% endmacro %}


{% macro received_in_this_run(scope_start, alias=none) %}
    {#- The rows a run's row-level tests check: received from scope_start (run_tests_start()) on,
        and the rows without received_at. alias: the table's alias in the query, if any. -#}
    {%- set column = (alias ~ '.' if alias else '') ~ 'received_at' -%}
    {{ return('(' ~ column ~ ' >= ' ~ scope_start ~ ' or ' ~ column ~ ' is null)') }}
{% endmacro %}


{% macro before_every_row() %}
    {#- A timestamp before every row (1900-01-01): the start of a window or scope that holds them all
        (an empty table's watermark, run_tests_start() on a full build or a new warehouse). -#}
    {{ return("cast('1900-01-01' as " ~ dbt.type_timestamp() ~ ")") }}
{% endmacro %}
