{#-
    How the incremental models write, chosen per adapter in this one place (a model's own
    config() wins over dbt_project.yml, so the models call this instead of naming a strategy):

    - DuckDB, PostgreSQL and the default: `delete+insert` on the model's unique_key.
    - Spark: `insert_overwrite` with dynamic partition overwrite of plain parquet tables (Delta and
      Iceberg need jars from Maven; `delete from` and `merge` need them too). The table is
      partitioned by `partition_column` and a run rewrites only the partitions its rows fall in, so
      each model's incremental branch selects the WHOLE content of every partition it touches
      (`overwrites_partitions()` tells the filter macros to widen their window to partition
      boundaries). Never a `delete from`.

    Use: config(materialized='incremental', unique_key=..., **incremental_settings('received_on')).
-#}

{% macro incremental_settings(partition_column) %}
    {{ return(adapter.dispatch('incremental_settings', 'setup_journeys')(partition_column)) }}
{% endmacro %}

{% macro default__incremental_settings(partition_column) %}
    {{ return({'incremental_strategy': 'delete+insert'}) }}
{% endmacro %}

{% macro spark__incremental_settings(partition_column) %}
    {{ return({
        'incremental_strategy': 'insert_overwrite',
        'partition_by': [partition_column],
    }) }}
{% endmacro %}


{% macro incremental_by_account() %}
    {#- The config of a model kept incrementally by account (a run rewrites the accounts it
        recomputes): delete+insert on account_id, or account buckets on Spark
        (incremental_settings), and a schema change failing the run. Each model names its own
        pre-hook beside it: a hook string defined in this macro failed dbt's parse
        ("'reset_when_as_of_moves_back_or_rules_change' is undefined"). Use: config(pre_hook=..., **incremental_by_account()). -#}
    {%- set settings = {
        'materialized': 'incremental',
        'unique_key': 'account_id',
        'on_schema_change': 'fail',
    } -%}
    {%- do settings.update(incremental_settings('account_bucket')) -%}
    {{ return(settings) }}
{% endmacro %}


{% macro overwrites_partitions() %}
    {#- True when this model writes by overwriting whole partitions (see incremental_settings). -#}
    {{ return(config.get('incremental_strategy') == 'insert_overwrite') }}
{% endmacro %}


{% macro empty_table(relation) %}
    {#- Remove every row of a table: `delete from` where the format allows it, `truncate` on Spark. -#}
    {{ return(adapter.dispatch('empty_table', 'setup_journeys')(relation)) }}
{% endmacro %}

{% macro default__empty_table(relation) %}
    delete from {{ relation }}
{% endmacro %}

{% macro spark__empty_table(relation) %}
    truncate table {{ relation }}
{% endmacro %}


{% macro delete_rows_without_source(setup_states, accounts_relation) %}
    {#- Pre-hook of account_integration_state: delete+insert replaces only the accounts present in
        the new rows, so the stored rows of a setup no longer started in int_setup_state
        (setup_states; as_of moved back) or of an account that left raw.accounts
        (accounts_relation: stg_raw__accounts) are deleted here. Where a run overwrites whole
        account buckets (Spark) such a bucket is recomputed without them: nothing to do. Nothing
        on a full build. -#}
    {{ return(adapter.dispatch('delete_rows_without_source', 'setup_journeys')(setup_states, accounts_relation)) }}
{% endmacro %}

{% macro default__delete_rows_without_source(setup_states, accounts_relation) %}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where
            not exists (
                select 1
                from {{ accounts_relation }} as accounts
                where accounts.account_id = {{ this }}.account_id
            )
            or not exists (
                select 1
                from {{ setup_states }} as setups
                where
                    setups.account_id = {{ this }}.account_id
                    and setups.integration_type = {{ this }}.integration_type
                    and setups.status <> 'not_started'
            )
    {%- endif -%}
{% endmacro %}

{% macro spark__delete_rows_without_source(setup_states, accounts_relation) %}
{% endmacro %}


{% macro batch_settings() %}
    {#- The tables that only append: the ranked batch (stg_raw__setup_events_ranked), which holds
        only the current run's rows (the pre-hook `empty_previous_batch` empties it first), and the
        late-load log (stg_raw__setup_events_late_loads). Every engine appends, so none needs a
        merge, a delete by key or partitions for them. -#}
    {{ return({'incremental_strategy': 'append'}) }}
{% endmacro %}


{% macro staging_overwrites_partitions() %}
    {#- True when the staged event tables overwrite daily partitions (Spark): the ranked batch then
        starts at midnight so each partition they write is recomputed whole. -#}
    {{ return(incremental_settings('received_on').get('incremental_strategy') == 'insert_overwrite') }}
{% endmacro %}
