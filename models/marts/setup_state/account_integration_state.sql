{#-
    One row per started setup (account x integration_type) of an account known to raw.accounts,
    as of as_of, with the error taxonomy's response row for its last error. Events of accounts
    not yet in raw.accounts are kept upstream and appear here from the first run after the
    account arrives.
-#}
with

setup_state as (

    select * from {{ ref('int_setup_state') }}
    where status <> 'not_started'

),

accounts as (

    select * from {{ ref('stg_raw__accounts') }}

),

error_taxonomy as (

    select * from {{ ref('error_taxonomy') }}

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
