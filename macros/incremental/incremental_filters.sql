{#-
    Incremental predicates as macros, so models read as plain SQL in both modes: each returns
    `true` on a full build and the incremental condition otherwise.
-#}

{% macro received_in_lookback_window(column='received_at', watermark_column='received_at') %}
    {#-
        Rows received after the newest loaded row minus incremental_lookback_hours. The window
        start is read once at run time and inlined as a literal, so the engine can push the
        filter into the raw scan (and skip row groups by their min/max) instead of normalising
        every raw row before comparing it with a subquery.
    -#}
    {%- if is_incremental() -%}
        {%- set window_start_sql -%}
            select
                {{ dbt.dateadd(
                    'hour',
                    -1 * setting('incremental_lookback_hours'),
                    "coalesce(max(" ~ watermark_column ~ "), cast('1900-01-01' as " ~ dbt.type_timestamp() ~ "))",
                ) }} as window_start
            from {{ this }}
        {%- endset -%}
        {%- if execute -%}
            {%- set window_start = run_query(window_start_sql).columns[0].values()[0] -%}
            {{ column }} > cast('{{ window_start }}' as {{ dbt.type_timestamp() }})
        {%- else -%}
            {{ column }} > ({{ window_start_sql }})
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}


{% macro not_already_staged(alias) %}
    {#- The event_id is not staged yet with an earlier or equal arrival (earliest arrival wins). -#}
    {%- if is_incremental() -%}
        not exists (
            select 1
            from {{ this }} as staged
            where
                staged.event_id = {{ alias }}.event_id
                and staged.received_at <= {{ alias }}.received_at
        )
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}


{% macro account_needs_recompute(events_relation, as_of) %}
    {#-
        int_setups_aggregated: the accounts whose visible events changed since the last run,
        looked up in the staged events table itself (three narrow columns, no seed joins):
        events received after its watermark (minus the lookback: late and out-of-order loads),
        or events that became visible because as_of moved forward. When as_of moves backwards
        (rebuilding the past) the pre-hook `reset_when_as_of_moves_back` has emptied the table,
        so the watermark is null and every account is recomputed; the last condition keeps the
        rule right even if the hook is removed (then stale rows of accounts with no visible
        event at the new as_of would survive: the hook is what removes them).
    -#}
    {%- if is_incremental() -%}
        account_id in (
            select recent_events.account_id
            from {{ events_relation }} as recent_events
            cross join (
                select
                    max(max_received_at) as max_received_at,
                    max(computed_as_of) as computed_as_of
                from {{ this }}
            ) as previous_run
            where
                recent_events.received_at > {{ dbt.dateadd(
                    'hour',
                    -1 * setting('incremental_lookback_hours'),
                    "coalesce(previous_run.max_received_at, cast('1900-01-01' as " ~ dbt.type_timestamp() ~ "))",
                ) }}
                or (
                    recent_events.occurred_at > coalesce(previous_run.computed_as_of, {{ as_of }})
                    and recent_events.occurred_at <= {{ as_of }}
                )
                or {{ as_of }} < previous_run.computed_as_of
        )
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}


{% macro reset_when_as_of_moves_back(as_of_column='computed_as_of') %}
    {#-
        Pre-hook of int_setups_aggregated. delete+insert only replaces the accounts present in
        the new batch, so when as_of moves backwards an account with no visible event at the new
        as_of would keep its row from the later as_of. Moving backwards is rare (rebuilding the
        past), so the table is emptied and the run recomputes every account, which also leaves
        a single computed_as_of for the next forward run to start from. Renders nothing on a
        full build (the hook is skipped).
    -#}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ as_of_literal() }} < (select max({{ as_of_column }}) from {{ this }})
    {%- endif -%}
{% endmacro %}
