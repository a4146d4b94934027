-- The per-code repeated-error detail of the journey and int_setup_state's per-setup summary
-- apply the same repeated_errors rule: same setups, same codes. Returns the setups that differ.
with

per_code as (

    select
        account_id,
        integration_type,
        {{ ordered_string_agg('error_code', ', ') }} as repeated_error_codes
    from {{ ref('int_journey_repeated_errors') }}
    group by account_id, integration_type

),

setup_state as (

    select
        account_id,
        integration_type,
        repeated_error_codes
    from {{ ref('int_setup_state') }}
    where has_repeated_errors

),

final as (

    select
        coalesce(per_code.account_id, setup_state.account_id) as account_id,
        coalesce(per_code.integration_type, setup_state.integration_type) as integration_type,
        per_code.repeated_error_codes as journey_codes,
        setup_state.repeated_error_codes as setup_state_codes
    from per_code
    full outer join setup_state
        on
            per_code.account_id = setup_state.account_id
            and per_code.integration_type = setup_state.integration_type
    where
        per_code.account_id is null
        or setup_state.account_id is null
        or per_code.repeated_error_codes <> setup_state.repeated_error_codes

)

select * from final
