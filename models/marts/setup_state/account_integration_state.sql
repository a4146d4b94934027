{#-
    One row per started setup (account x integration_type) of an account known to raw.accounts,
    as of as_of, with the error taxonomy's response row for its last error. Events of accounts
    not yet in raw.accounts are kept upstream and appear here from the first run after the
    account arrives.

    Incremental by account (delete+insert on account_id; account buckets on Spark), like
    int_setup_state, whose rows it copies: a run recomputes the accounts that
    `integration_state_accounts_to_recompute` lists (setups whose int_setup_state row differs from
    the stored copy, or is not stored yet; accounts whose raw.accounts row changed or left; setups
    whose last error's taxonomy row changed). Every row holds as of the latest run's as_of;
    computed_as_of says when its setup was last recomputed. When as_of moves backwards the
    pre-hook empties the table first; another deletes the rows of accounts that left raw.accounts.
-#}
{{
    config(
        materialized='incremental',
        unique_key='account_id',
        on_schema_change='fail',
        pre_hook=[
            "{{ reset_when_as_of_moves_back() }}",
            "{{ delete_rows_of_accounts_gone(ref('stg_raw__accounts')) }}",
        ],
        **incremental_settings('account_bucket'),
    )
}}

{%- set recompute_filter = in_accounts_to_recompute() -%}

with

all_setup_states as (

    select * from {{ ref('int_setup_state') }}
    where status <> 'not_started'

),

accounts as (

    select * from {{ ref('stg_raw__accounts') }}

),

error_taxonomy as (

    select * from {{ ref('error_taxonomy') }}

),

{%- if is_incremental() %}

accounts_to_recompute as (

    {{ integration_state_accounts_to_recompute('all_setup_states', 'accounts', 'error_taxonomy') }}

),

{%- endif %}

setup_state as (

    select * from all_setup_states
    where {{ recompute_filter }}

),

final as (

    select
        setup_state.*,
        accounts.account_name,
        accounts.plan_tier,
        accounts.acquisition_source,
        accounts.signed_up_at,
        -- The response row of the last error's code (null for a code the taxonomy does not list).
        error_taxonomy.failure_shape as last_error_failure_shape,
        error_taxonomy.surface as last_error_surface,
        error_taxonomy.first_response as last_error_first_response,
        error_taxonomy.guardrail as last_error_guardrail,
        error_taxonomy.owner as last_error_owner
    from setup_state
    inner join accounts
        on setup_state.account_id = accounts.account_id
    left join error_taxonomy
        on setup_state.last_error_code = error_taxonomy.error_code

)

select * from final
