{#-
    One row per started setup (account x integration_type) of an account known to raw.accounts,
    as of as_of. Events of accounts not yet in raw.accounts are kept upstream and appear here
    from the first run after the account arrives.
-#}
with

setup_state as (

    select * from {{ ref('int_setup_state') }}
    where status <> 'not_started'

),

accounts as (

    select * from {{ ref('stg_raw__accounts') }}

),

final as (

    select
        setup_state.*,
        accounts.account_name,
        accounts.plan_tier,
        accounts.acquisition_source,
        accounts.signed_up_at
    from setup_state
    inner join accounts
        on setup_state.account_id = accounts.account_id

)

select * from final
