{% macro get_where_subquery(relation) -%}
    {#-
        dbt's wrapper of every generic data test's model (the `where` config), with one
        placeholder (dbt renders `where` without the project's macros, so the condition is filled
        in here, at run time): `__received_in_this_run__` becomes `received_at >= <first
        received_at of this run's ranked batch>`. A data test on a large table fed by arrival (the
        staged events and the duplicates) then checks the rows the run wrote, not the whole
        history again; on a full build the batch is all of raw, so it checks every row. Tests
        whose meaning needs the whole table (uniqueness) do not use it.
    -#}
    {%- set where = config.get('where') or '' -%}
    {%- if '__received_in_this_run__' in where -%}
        {%- set where = where | replace('__received_in_this_run__', 'received_at >= ' ~ run_batch_start()) -%}
    {%- endif -%}
    {%- if where -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}


{% macro run_batch_start() %}
    {#- The first received_at of the run's ranked batch (stg_raw__setup_events_ranked), found in
        the graph: a data test does not ref it. -#}
    {%- set batch = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', 'stg_raw__setup_events_ranked') | first -%}
    {{ return(batch_window_start(batch.relation_name)) }}
{% endmacro %}
