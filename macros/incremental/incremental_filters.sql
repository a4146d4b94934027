{#-
    Incremental predicates as macros, so models read as plain SQL in both modes: each returns
    `true` on a full build and the incremental condition otherwise.
-#}

{% macro lookback_window_start_sql(watermark_column='received_at', day_aligned=none, watermark_relation=none) %}
    {#- SQL for the start of the re-read window: the newest loaded row minus incremental_lookback_hours,
        moved back to the start of its day where the model overwrites whole daily partitions
        (day_aligned: default, whether this model overwrites partitions). The newest row is read
        from watermark_relation (default: the model's own table). -#}
    {%- set day_aligned = overwrites_partitions() if day_aligned is none else day_aligned -%}
    {%- set window_start = dbt.dateadd(
        'hour',
        -1 * setting('incremental_lookback_hours'),
        "coalesce(max(" ~ watermark_column ~ "), " ~ before_every_row() ~ ")",
    ) -%}
    {%- if day_aligned -%}
        {%- set window_start = 'cast(' ~ dbt.date_trunc('day', window_start) ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}
    {%- endif -%}
    {{ return('select ' ~ window_start ~ ' as window_start from ' ~ (watermark_relation or this)) }}
{% endmacro %}


{% macro lookback_window_start(watermark_column='received_at', day_aligned=none, watermark_relation=none) %}
    {#- The window start as a SQL timestamp: a literal read once at run time (a subquery at parse time). -#}
    {{ return(timestamp_at_run_time(lookback_window_start_sql(watermark_column, day_aligned, watermark_relation))) }}
{% endmacro %}


{% macro timestamp_at_run_time(timestamp_sql) %}
    {#- The one value of a query (timestamp_sql) as a SQL timestamp literal, read once at run time;
        the query itself, as a subquery, while dbt parses. -#}
    {%- if execute -%}
        {%- set value = run_query(timestamp_sql).columns[0].values()[0] -%}
        {{ return("cast('" ~ value ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
    {%- endif -%}
    {{ return('(' ~ timestamp_sql ~ ')') }}
{% endmacro %}


{% macro received_in_lookback_window(column='received_at', watermark_column='received_at', day_aligned=none,
                                     watermark_relation=none) %}
    {#-
        Rows received after the newest loaded row minus incremental_lookback_hours. The window
        start is read once at run time and inlined as a literal, so the engine can push the
        filter into the raw scan (and skip row groups by their min/max) instead of normalising
        every raw row before comparing it with a subquery. Where the model overwrites daily
        partitions (Spark), the window starts at midnight of that day and includes it, so every
        partition the run writes is recomputed whole (day_aligned: default, whether this model
        overwrites partitions; the ranked batch passes what the staged tables do). The newest
        loaded row is read from watermark_relation (default: the model's own table).
    -#}
    {%- set day_aligned = overwrites_partitions() if day_aligned is none else day_aligned -%}
    {%- if is_incremental() -%}
        {{ column }} {{ '>=' if day_aligned else '>' }} {{ lookback_window_start(watermark_column, day_aligned, watermark_relation) }}
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}


{% macro not_already_staged(alias, batch_relation) %}
    {#- The event_id is not staged yet with an earlier or equal arrival (earliest arrival wins).
        Where the run overwrites the window's partitions, only rows staged before the batch
        (batch_relation: the ranked batch, whose first received_at starts the window) count: the
        rows inside it are being recomputed. -#}
    {%- if is_incremental() -%}
        not {{ earlier_copy_exists(alias, this, batch_window_start(batch_relation) if overwrites_partitions() else none) }}
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}


{% macro earlier_copy_exists(alias, relation, received_before=none) %}
    {#- The row's event_id is in relation (the staged events, or the late-load log) with an earlier
        or equal received_at: the row is not staged (earliest arrival wins), or not logged again.
        received_before: only rows of relation received before this timestamp count (a partition
        overwrite recomputes the rest). -#}
    exists (
        select 1
        from {{ relation }} as earlier
        where
            earlier.event_id = {{ alias }}.event_id
            and earlier.received_at <= {{ alias }}.received_at
            {%- if received_before is not none %}
            and earlier.received_at < {{ received_before }}
            {%- endif %}
    )
{% endmacro %}


{% macro late_loads_are_logged() %}
    {#- True where stg_raw__setup_events_late_loads logs the rows staged late (every engine whose
        staged tables are merged by key). Where the staged tables overwrite daily partitions (Spark)
        every row of a rewritten partition is staged again, so there is no late/on-time distinction:
        the log stays empty and the recompute rule keeps the lookback on received_at. -#}
    {{ return(not staging_overwrites_partitions()) }}
{% endmacro %}


{% macro newest_received_at(relation) %}
    {#- The newest received_at in relation (1900-01-01 when empty), a literal read at run time. -#}
    {{ return(timestamp_at_run_time("select coalesce(max(received_at), " ~ before_every_row() ~ ") from " ~ relation)) }}
{% endmacro %}


{% macro accounts_to_recompute_condition(events_alias, previous_run_alias, as_of) %}
    {#-
        The rule of int_setups_aggregated's incremental run, for one staged event: it was received
        after the aggregate's watermark, or it became visible because as_of moved forward, or as_of
        moved backwards (every account). Rows staged late (received_at at or before the newest row
        staged before them) are found in stg_raw__setup_events_late_loads instead, by
        accounts_to_recompute_sql; where that log is not kept (late_loads_are_logged: Spark), the
        watermark here is moved back by incremental_lookback_hours, as the staging window is.
        When as_of moves backwards (rebuilding the past) the pre-hook
        `reset_when_as_of_moves_back_or_rules_change` empties the table as well, so the watermark
        is null and every account is recomputed; the last condition keeps the rule right even if
        the hook is removed (then stale rows of accounts with no visible event at the new as_of
        would survive: the hook is what removes them).
        previous_run_alias has the aggregate's max(max_received_at) and max(computed_as_of).
    -#}
    (
        {{ events_alias }}.received_at > {{ recompute_watermark(previous_run_alias, not late_loads_are_logged()) }}
        or (
            {{ events_alias }}.occurred_at > coalesce({{ previous_run_alias }}.computed_as_of, {{ as_of }})
            and {{ events_alias }}.occurred_at <= {{ as_of }}
        )
        or {{ as_of }} < {{ previous_run_alias }}.computed_as_of
    )
{% endmacro %}


{% macro recompute_watermark(previous_run_alias, minus_lookback) %}
    {#- The newest received_at a model keyed by account has folded (previous_run_alias.max_received_at;
        1900-01-01 for an empty table), moved back by incremental_lookback_hours when minus_lookback. -#}
    {%- set watermark = "coalesce(" ~ previous_run_alias ~ ".max_received_at, " ~ before_every_row() ~ ")" -%}
    {%- if minus_lookback -%}
        {{ return(dbt.dateadd('hour', -1 * setting('incremental_lookback_hours'), watermark)) }}
    {%- endif -%}
    {{ return(watermark) }}
{% endmacro %}


{% macro accounts_to_recompute_sql(events_relation, previous_relation, as_of, late_loads_relation, by_bucket=false) %}
    {#- The rule (`accounts_to_recompute_condition`) as a query: the accounts (account buckets when
        by_bucket) of the staged events (events_relation) that an incremental model keyed by account
        recomputes, against that model's table before this run (previous_relation), one row each
        as `recompute_key`. Plus the accounts of rows staged late (late_loads_relation:
        stg_raw__setup_events_late_loads) received after the watermark minus
        incremental_lookback_hours: the window the staging re-reads, so a model that missed runs
        still finds the late rows staged meanwhile. -#}
    select distinct
        {{ account_bucket('recent_events.account_id') if by_bucket else 'recent_events.account_id' }} as recompute_key
    from {{ events_relation }} as recent_events
    cross join ({{ account_keyed_previous_run(previous_relation) }}) as previous_run
    where {{ accounts_to_recompute_condition('recent_events', 'previous_run', as_of) }}
    {%- if late_loads_are_logged() %}
    union
    select {{ account_bucket('late_loads.account_id') if by_bucket else 'late_loads.account_id' }} as recompute_key
    from {{ late_loads_relation }} as late_loads
    cross join ({{ account_keyed_previous_run(previous_relation) }}) as previous_run
    where late_loads.received_at > {{ recompute_watermark('previous_run', true) }}
    {%- endif %}
{% endmacro %}


{% macro newest_received_by_account(events_relation, as_of, accounts_condition='true') %}
    {#- The newest received_at of each account's visible staged events (events_relation), as
        int_setups_aggregated counts them: the watermark an incremental model keyed by account
        stores as max_received_at for its next run's rule. accounts_condition limits the accounts
        (the incremental run's semi-join). -#}
    select
        account_id,
        max(received_at) as max_received_at
    from {{ events_relation }}
    where
        occurred_at <= {{ as_of }}
        and {{ accounts_condition }}
    group by account_id
{% endmacro %}


{% macro account_keyed_previous_run(relation) %}
    {#- The previous run of an incremental model keyed by account (relation): its watermark and
        as_of, one row. -#}
    select
        max(max_received_at) as max_received_at,
        max(computed_as_of) as computed_as_of
    from {{ relation }}
{% endmacro %}


{% macro previous_setups_aggregated() %}
    {#- int_setups_aggregated's table before this run, looked up without ref() (it reads
        int_setups_accounts_to_recompute); none on a --full-refresh run, while not executing, or
        when it does not exist yet. -#}
    {%- if flags.FULL_REFRESH -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(table_beside_this('int_setups_aggregated')) }}
{% endmacro %}


{% macro accounts_listed_this_run(accounts_relation) %}
    {#- True when int_setups_accounts_to_recompute (accounts_relation) is part of this run, so its
        table lists this run's accounts. Called by the model itself, so a unit test can override it
        (a unit test's graph has no nodes). False on a full build, which reads no list. -#}
    {%- if not execute or not is_incremental() or graph.nodes is not defined -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set list_node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', accounts_relation.identifier) | first -%}
    {{ return(list_node is defined and list_node.unique_id in selected_resources) }}
{% endmacro %}


{% macro account_needs_recompute(accounts_relation, events_relation, as_of, use_list, late_loads_relation) %}
    {#-
        int_setups_aggregated's filter on its events: the account is one to recompute this run.
        Read from int_setups_accounts_to_recompute (accounts_relation) when use_list, i.e. that
        model ran in this run (accounts_listed_this_run); otherwise (e.g. `dbt build --select
        int_setups_aggregated` alone, or a retry) its table could be a previous run's list, and the
        same rule is evaluated here over the staged events (events_relation) and the late loads
        (late_loads_relation). Overwriting partitions (Spark): every account of each touched
        account bucket is recomputed. `true` on a full build.
    -#}
    {%- if is_incremental() -%}
        {%- set by_bucket = overwrites_partitions() -%}
        {%- set key = account_bucket('account_id') if by_bucket else 'account_id' -%}
        {%- if use_list -%}
            {{ key }} in (select {{ 'account_bucket' if by_bucket else 'account_id' }} from {{ accounts_relation }})
        {%- else -%}
            {{ key }} in ({{ accounts_to_recompute_sql(events_relation, this, as_of, late_loads_relation, by_bucket) }})
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}


{% macro reset_when_as_of_moves_back_or_rules_change(as_of_column='computed_as_of', rules_vars=[]) %}
    {#-
        Pre-hook of the incremental models keyed by account (int_setups_aggregated, int_setup_state,
        int_journey_message_outcomes, int_setup_status_signals). delete+insert only replaces the
        accounts present in the new batch (and a partition overwrite only the buckets in it), so two
        kinds of stored rows would survive a run that should change them:
        - when as_of moves backwards, an account with no visible event at the new as_of would keep
          its row from the later as_of;
        - when a var the model's rows depend on changes (rules_vars, whose values each row stores
          as `rules_fingerprint`: vars_fingerprint), an account with nothing new would keep rows
          computed with the old value, e.g. a settled message credited over the old window.
        Both are rare (rebuilding the past, a new setting), so the table is emptied and the run
        recomputes every account, which also leaves a single computed_as_of for the next forward
        run to start from. Renders nothing on a full build (the hook is skipped).
        Spark cannot delete rows from a parquet table: there the check runs first and the table is
        truncated (empty_table) only when it finds such a row.
    -#}
    {%- if is_incremental() -%}
        {%- set stale = as_of_literal() ~ ' < ' ~ as_of_column -%}
        {%- if rules_vars | length > 0 -%}
            {%- set fingerprint = vars_fingerprint(rules_vars) -%}
            {%- set stale = stale ~ ' or rules_fingerprint is null or rules_fingerprint <> ' ~ fingerprint -%}
        {%- endif -%}
        {%- if overwrites_partitions() -%}
            {%- if execute -%}
                {%- set stale_rows = run_query(
                    'select count(*) from ' ~ this ~ ' where ' ~ stale
                ).columns[0].values()[0] -%}
                {%- if stale_rows > 0 -%}
                    {{ empty_table(this) }}
                {%- endif -%}
            {%- endif -%}
        {%- else -%}
            delete from {{ this }}
            where exists (select 1 from {{ this }} where {{ stale }})
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{% macro vars_fingerprint(names) %}
    {#- One text key (stable_hash) for the values of the vars `names`, e.g. the credit windows an
        incremental model's rows depend on: each row stores it as `rules_fingerprint`, and the
        pre-hook reset_when_as_of_moves_back_or_rules_change, given the same names, recomputes
        every account when it changed. -#}
    {%- set parts = [] -%}
    {%- for name in names -%}
        {%- do parts.append("'" ~ name ~ "=" ~ setting(name) ~ "'") -%}
    {%- endfor -%}
    {{ return(stable_hash(parts)) }}
{% endmacro %}


{% macro account_bucket(account_id) %}
    {#- The partition of an account in int_setups_aggregated: a stable hash bucket (same on every
        engine and run), incremental_account_buckets of them. Changing the var needs --full-refresh. -#}
    {{- return(hash_bucket(account_id, setting('incremental_account_buckets') | int) | trim) -}}
{% endmacro %}


{% macro batch_window_start_sql(batch_relation) %}
    {#- SQL for the first received_at of the ranked batch (1900-01-01 when it is empty). -#}
    {{ return("select coalesce(min(received_at), " ~ before_every_row() ~ ") from "
        ~ batch_relation) }}
{% endmacro %}


{% macro batch_window_start(batch_relation) %}
    {#- The first received_at of the ranked batch (a literal read at run time, after the batch was
        built). Every raw row received from then on is in the batch, so rows staged before it are
        exactly the rows this run does not recompute. -#}
    {{ return(timestamp_at_run_time(batch_window_start_sql(batch_relation))) }}
{% endmacro %}


{% macro empty_previous_batch() %}
    {#- Pre-hook of stg_raw__setup_events_ranked: the table holds one batch, so an incremental run
        removes the previous one before appending its own. dbt compiles the model (and reads the
        window start from the previous batch) before it runs the pre-hook. Nothing on a full build. -#}
    {%- if is_incremental() -%}
        {{ empty_table(this) }}
    {%- endif -%}
{% endmacro %}


{% macro staged_events_watermark() %}
    {#- The staged events' table (stg_raw__setup_events), the ranked batch's watermark: the batch
        starts from the newest row STAGED, not from the previous batch, so a run that failed after
        building its batch loses nothing (the next batch re-reads those rows). Looked up without
        ref() (the staged events read the batch); none when it does not exist yet. -#}
    {{ return(table_beside_this('stg_raw__setup_events')) }}
{% endmacro %}


{% macro table_beside_this(identifier) %}
    {#- The table `identifier` in this model's schema, looked up without ref() (where a ref would
        make a cycle); none while not executing, while a unit test compiles (`this` is none: its
        inputs are fixtures, there is no table), or when it does not exist yet. -#}
    {%- if not execute or this is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=this.database, schema=this.schema, identifier=identifier)) }}
{% endmacro %}


{% macro batch_leaves_out_single_arrivals() %}
    {#-
        True when this run's ranked batch (stg_raw__setup_events_ranked) leaves out the valid rows
        whose event_id arrived once: a --full-refresh run that rebuilds both the batch and the
        staged events (stg_raw__setup_events). The batch then holds the rejected rows and every copy
        of the event_ids that arrived more than once, and the staged events read the other valid
        rows from base_raw__setup_events: a full build no longer writes every raw row twice (once
        in the batch, once staged), and string columns are the slow part of a table write.
        Every model that reads the batch calls this, so all agree within a run. False on an
        incremental run (the next batches hold every row of their window), a first build without
        --full-refresh (the batch is then complete), while not executing, and in a unit test (its
        graph has no nodes; a unit test overrides this macro to test the other case).
    -#}
    {%- if not execute or not flags.FULL_REFRESH or graph.nodes is not defined -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set rebuilt = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'in', ['stg_raw__setup_events_ranked', 'stg_raw__setup_events'])
        | selectattr('unique_id', 'in', selected_resources) | list -%}
    {{ return(rebuilt | length == 2) }}
{% endmacro %}


{% macro require_complete_batch(batch_relation) %}
    {#- A full build of a model that reads the ranked batch needs a batch that holds every raw row:
        the batch keeps only the last run's rows after an incremental run, and rebuilding the
        staged events, the duplicates or the quarantine from it alone would drop history. Compares
        the batch's row count with raw.setup_events (found in the graph, so the model does not read
        the source) and stops the run with what to do. Nothing on an incremental run, an `--empty`
        build, while a unit test compiles (`this` is none there: the inputs are fixtures), or when
        the batch was rebuilt in this --full-refresh run without its single arrivals
        (batch_leaves_out_single_arrivals: it covers all of raw, but holds fewer rows). -#}
    {%- if execute and this is not none and not is_incremental() and not invocation_args_dict.get('empty')
        and not batch_leaves_out_single_arrivals() -%}
        {%- set raw_node = graph.sources.values() | selectattr('source_name', 'equalto', 'raw')
            | selectattr('name', 'equalto', 'setup_events') | first -%}
        {#- Only when both tables exist: `dbt compile` or sqlfluff on a new warehouse has nothing to compare. -#}
        {%- set batch_exists = load_relation(batch_relation) -%}
        {%- set raw_exists = adapter.get_relation(
            database=raw_node.database, schema=raw_node.schema, identifier=raw_node.identifier
        ) -%}
        {%- if batch_exists is none or raw_exists is none -%}
            {{ return('') }}
        {%- endif -%}
        {%- set counts = run_query(
            'select (select count(*) from ' ~ batch_relation ~ ') as batch_rows, (select count(*) from '
            ~ raw_node.relation_name ~ ') as raw_rows'
        ) -%}
        {%- set batch_rows = counts.columns[0].values()[0] | int -%}
        {%- set raw_rows = counts.columns[1].values()[0] | int -%}
        {%- if batch_rows != raw_rows -%}
            {{ exceptions.raise_compiler_error(
                this.identifier ~ " is being rebuilt from scratch, but " ~ batch_relation.identifier ~ " holds "
                ~ batch_rows ~ " of the " ~ raw_rows ~ " raw rows (only the last run's batch). Rebuild the batch "
                ~ "in the same run: add it to the selection, e.g. `dbt build --full-refresh --select "
                ~ "+" ~ this.identifier ~ "`."
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{% macro require_batch_with_single_arrivals(batch_relation) %}
    {#- An incremental run of the staged events needs a batch that holds every valid row of its
        window. A --full-refresh batch leaves out the rows whose event_id arrived once (its own run
        stages them from base_raw__setup_events) and is marked is_compact_batch until the next run
        replaces it; staging from it alone, e.g. after that run failed before the staged events,
        would miss those rows for good, since later batches start from the newest staged row. Stops
        the run with what to do. Nothing on a full build, while a unit test compiles (`this` is
        none), or when the batch does not exist yet. -#}
    {%- if execute and this is not none and is_incremental() -%}
        {%- if load_relation(batch_relation) is none -%}
            {{ return('') }}
        {%- endif -%}
        {%- set compact_rows = run_query('select count(*) from ' ~ batch_relation ~ ' where is_compact_batch')
            .columns[0].values()[0] | int -%}
        {%- if compact_rows > 0 -%}
            {{ exceptions.raise_compiler_error(
                this.identifier ~ " is being staged incrementally from " ~ batch_relation.identifier ~ ", which holds "
                ~ "the batch of a --full-refresh run: it leaves out the valid rows whose event_id arrived once "
                ~ "(that run staged them itself, if it got that far), so staging from it alone could miss them. "
                ~ "Build the batch in the same run: add it to the selection, e.g. `dbt build --select "
                ~ batch_relation.identifier ~ "+`."
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{% macro message_accounts_to_recompute(sends_relation, events_relation, as_of, late_loads_relation) %}
    {#-
        The accounts (account buckets where the model overwrites partitions) whose messages
        int_journey_message_outcomes recomputes this run, as `select recompute_key`:
        - the aggregate's rule (`accounts_to_recompute_condition`) over the staged events
          (events_relation) and the late loads (late_loads_relation) against this model's own
          previous run, so a run that skipped or failed this model never leaves its accounts
          behind: new and late events, and events that became visible;
        - a visible message (sends_relation) not stored yet with its sent_at: new, or loaded late;
        - a stored message whose outcome was not settled: its credit window moves with as_of.
        Only on an incremental run.
    -#}
    {%- set by_bucket = overwrites_partitions() -%}
    {%- set stored_key = 'account_bucket' if by_bucket else 'account_id' -%}
    {{ accounts_to_recompute_sql(events_relation, this, as_of, late_loads_relation, by_bucket) }}
    union
    select {{ account_bucket('sends.account_id') if by_bucket else 'sends.account_id' }} as recompute_key
    from {{ sends_relation }} as sends
    left join {{ this }} as stored
        on
            sends.message_id = stored.message_id
            and sends.sent_at = stored.sent_at
    where
        sends.sent_at <= {{ as_of }}
        and stored.message_id is null
    union
    select {{ stored_key }} as recompute_key
    from {{ this }}
    where not is_outcome_settled
{% endmacro %}


{% macro setups_differing_from_stored(setups_relation, columns, condition='true') %}
    {#- The recompute keys (account, or account bucket where the model overwrites partitions) of
        the setups that differ between setups_relation (account_id, integration_type,
        account_bucket and `columns`; only its rows meeting `condition`) and this model's table:
        not stored yet, stored but gone from setups_relation, or stored with another value in any
        of `columns` (null-safe). -#}
    {%- set key = 'account_bucket' if overwrites_partitions() else 'account_id' -%}
    select coalesce(setups.{{ key }}, stored.{{ key }}) as recompute_key
    from (
        select * from {{ setups_relation }} as setups
        where {{ condition }}
    ) as setups
    full outer join {{ this }} as stored
        on
            setups.account_id = stored.account_id
            and setups.integration_type = stored.integration_type
    where
        setups.account_id is null
        or stored.account_id is null
        {%- for column in columns %}
        or setups.{{ column }} is distinct from stored.{{ column }}
        {%- endfor %}
{% endmacro %}


{% macro setup_state_accounts_to_recompute(aggregated, messages_sent, users, setup_rules, as_of) %}
    {#-
        The accounts (account buckets where the model overwrites partitions) whose setups
        int_setup_state recomputes this run, as `select recompute_key`:
        - a setup of the aggregate (aggregated: int_setups_aggregated) not stored yet, or with
          another event_count than the stored one: staged events are only ever added, so a setup's
          visible events changed exactly when their count did (new, late, or made visible by as_of);
        - a stored setup whose next_change_at is at or before as_of (time alone changes its row);
        - a stored setup whose messages sent (messages_sent: int_setup_messages_sent) differ;
        - a stored setup whose starter's role or admin flag (users: stg_raw__users) differ;
        - a stored setup whose rules_fingerprint differs from its type's and path's now
          (setup_rules: integration_type, setup_path, rules_fingerprint).
        Comparing with this table, not with a watermark, keeps a run that skipped this model from
        leaving accounts behind. Only on an incremental run.
    -#}
    {%- set by_bucket = overwrites_partitions() -%}
    {{ setups_differing_from_stored(aggregated, ['event_count'], 'setups.integration_type is not null') }}
    union
    select {{ 'stored.account_bucket' if by_bucket else 'stored.account_id' }} as recompute_key
    from {{ this }} as stored
    left join {{ messages_sent }} as sent
        on
            stored.account_id = sent.account_id
            and stored.integration_type = sent.integration_type
    left join {{ users }} as starter
        on stored.starter_user_id = starter.user_id
    left join {{ setup_rules }} as rules
        on
            stored.integration_type = rules.integration_type
            and stored.setup_path = rules.setup_path
    where
        stored.next_change_at <= {{ as_of }}
        or stored.messages_sent_count <> coalesce(sent.messages_sent_count, 0)
        or stored.last_message_sent_at is distinct from sent.last_message_sent_at
        or stored.last_message_journey_step is distinct from sent.last_message_journey_step
        or stored.starter_role is distinct from starter.role
        or stored.is_starter_admin <> coalesce(starter.is_admin, false)
        or stored.rules_fingerprint is distinct from rules.rules_fingerprint
{% endmacro %}


{% macro setup_state_version_columns() %}
    {#- The columns of int_setup_state (all of them columns of account_integration_state too) that
        together determine the rest of its row: its visible events (event_count and last_event_at:
        as_of moving forward or new events only add events, which the count sees; events leaving
        because as_of moved back move last_event_at), its messages sent, its starter's role, what
        it takes from the seeds (setup_rules_columns) and what as_of and the thresholds decide
        (status, the admin rule, abandoned_at, next_change_at). A copy that agrees on all of them
        is the same row. -#}
    {%- set columns = ['event_count', 'last_event_at', 'messages_sent_count', 'last_message_sent_at',
                       'last_message_journey_step', 'starter_role', 'is_starter_admin', 'status',
                       'needs_admin_since', 'is_admin_needed', 'abandoned_at', 'next_change_at'] -%}
    {%- for column in setup_rules_columns() if column != 'integration_type' -%}
        {%- do columns.append(column) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}


{% macro integration_state_accounts_to_recompute(setup_states, accounts, error_taxonomy) %}
    {#-
        The accounts (account buckets where the model overwrites partitions) whose rows
        account_integration_state recomputes this run, as `select recompute_key`:
        - a started setup (setup_states: int_setup_state) whose row differs from the stored copy
          in setup_state_version_columns, or is not stored yet (new, or its account just arrived
          in raw.accounts), and a stored setup no longer started in setup_states;
        - a stored setup whose account (accounts: stg_raw__accounts) left or changed its name,
          plan, source or signup;
        - a stored setup whose last error's row in error_taxonomy changed.
        Only on an incremental run.
    -#}
    {%- set by_bucket = overwrites_partitions() -%}
    {{ setups_differing_from_stored(setup_states, setup_state_version_columns()) }}
    union
    select {{ 'stored.account_bucket' if by_bucket else 'stored.account_id' }} as recompute_key
    from {{ this }} as stored
    left join {{ accounts }} as accounts
        on stored.account_id = accounts.account_id
    left join {{ error_taxonomy }} as taxonomy
        on stored.last_error_code = taxonomy.error_code
    where
        accounts.account_id is null
        {%- for column in ['account_name', 'plan_tier', 'acquisition_source', 'signed_up_at'] %}
        or stored.{{ column }} is distinct from accounts.{{ column }}
        {%- endfor %}
        {%- for column in ['failure_shape', 'surface', 'first_response', 'guardrail', 'owner'] %}
        or stored.last_error_{{ column }} is distinct from taxonomy.{{ column }}
        {%- endfor %}
{% endmacro %}


{% macro setup_rules_columns() %}
    {#- The columns of int_setup_progress that come from the seeds (the catalog row of the
        integration type, the steps of its path), keyed by integration_type and setup_path. -#}
    {{ return(['integration_type', 'setup_path', 'display_name', 'category', 'requires_admin',
               'is_missing_from_catalog', 'reminder_1_minutes', 'reminder_2_minutes', 'reminder_3_minutes',
               'step_1_name', 'step_2_name', 'step_3_name', 'step_4_name', 'step_count']) }}
{% endmacro %}


{% macro setup_rules_fingerprint(alias) %}
    {#- One text key for what int_setup_state's rows take from the seeds (setup_rules_columns of
        alias) and the thresholds its rules read, its own and int_setup_errors_after_progress's
        (repeated_error_window_hours): a stored row whose key differs is recomputed. -#}
    {%- set parts = [] -%}
    {%- for column in setup_rules_columns() -%}
        {%- do parts.append(alias ~ '.' ~ column) -%}
    {%- endfor -%}
    {%- for name in ['abandoned_after_days', 'needs_admin_after_hours', 'repeated_error_window_hours'] -%}
        {%- do parts.append("'" ~ name ~ "=" ~ threshold_seconds(name) ~ "'") -%}
    {%- endfor -%}
    {{ stable_hash(parts) }}
{% endmacro %}


{% macro in_accounts_to_recompute(accounts_cte='accounts_to_recompute') %}
    {#- Condition on a row's account_id: its account (its account bucket where the model overwrites
        partitions) is in the model's CTE of accounts to recompute (accounts_cte, with a
        recompute_key column). `true` on a full build. -#}
    {%- if is_incremental() -%}
        {%- set key = account_bucket('account_id') if overwrites_partitions() else 'account_id' -%}
        {{ key }} in (select listed.recompute_key from {{ accounts_cte }} as listed)
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}
