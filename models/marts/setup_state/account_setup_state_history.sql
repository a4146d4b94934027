{#-
    SCD2 history of each account's setup state, derived from the events: the state on any past
    date T is the interval with valid_from <= T < valid_to (valid_from null = since always,
    valid_to null = current). Reaching a step is permanent, so an account's state only changes
    when it becomes visible (signup, or its first start if that came first), when one of its
    setups starts and when one completes: those instants are the interval boundaries, and the
    running counts of starts and completions give the state in between. Rebuilding with
    as_of = T gives account_setup_state at T (tested in tests/python/test_setup_state.py).
-#}
with

account_state as (

    select * from {{ ref('account_setup_state') }}

),

setups as (

    select * from {{ ref('account_integration_state') }}

),

change_points as (

    -- The account becomes visible: at signup, or at its first start when that came earlier;
    -- an account without signed_up_at is visible at every as_of (valid_from null).
    select
        account_id,
        case
            when signed_up_at is not null then {{ least_not_null(['signed_up_at', 'first_started_at']) }}
        end as changed_at,
        0 as started_delta,
        0 as completed_delta
    from account_state
    union all
    select
        account_id,
        started_at as changed_at,
        1 as started_delta,
        0 as completed_delta
    from setups
    union all
    select
        account_id,
        completed_at as changed_at,
        0 as started_delta,
        1 as completed_delta
    from setups
    where completed_at is not null

),

changes as (

    select
        account_id,
        changed_at,
        {{ sum_of_counts('started_delta') }} as started_delta,
        {{ sum_of_counts('completed_delta') }} as completed_delta
    from change_points
    group by account_id, changed_at

),

running as (

    select
        account_id,
        changed_at as valid_from,
        lead(changed_at) over (
            partition by account_id
            order by changed_at nulls first
        ) as valid_to,
        cast(sum(started_delta) over (
            partition by account_id
            order by changed_at nulls first
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as integrations_started,
        cast(sum(completed_delta) over (
            partition by account_id
            order by changed_at nulls first
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as integrations_completed
    from changes

),

final as (

    select
        {{ stable_hash(['running.account_id', 'running.valid_from']) }} as account_stage_interval_id,
        running.account_id,
        case
            when running.integrations_completed > 0 then 'completed'
            when running.integrations_started > 0 then 'in_progress'
            else 'not_started'
        end as setup_stage,
        running.valid_from,
        running.valid_to,
        running.valid_to is null as is_current,
        running.integrations_started,
        running.integrations_completed,
        running.integrations_completed > 0 as is_setup_complete,
        case
            when account_state.first_started_at <= running.valid_from then account_state.first_started_at
        end as first_started_at,
        case
            when account_state.first_completed_at <= running.valid_from then account_state.first_completed_at
        end as first_completed_at
    from running
    inner join account_state
        on running.account_id = account_state.account_id

)

select * from final
