{#-
    SCD2 history of each account's setup_stage, derived from the events: the stage on any past
    date T is the interval with valid_from <= T < valid_to (valid_to null = current). Stages
    only move forward (not_started -> in_progress -> completed) because reaching a step is
    permanent, so three boundaries describe an account: signup, first start, first completion.
    Rebuilding with as_of = T gives account_setup_state at T (tested).
-#}
with

account_state as (

    select * from {{ ref('account_setup_state') }}

),

boundaries as (

    select
        account_id,
        coalesce(signed_up_at, first_started_at) as not_started_from,
        first_started_at as in_progress_from,
        first_completed_at as completed_from
    from account_state

),

intervals as (

    select
        account_id,
        'not_started' as setup_stage,
        not_started_from as valid_from,
        coalesce(in_progress_from, completed_from) as valid_to
    from boundaries
    union all
    select
        account_id,
        'in_progress' as setup_stage,
        in_progress_from as valid_from,
        completed_from as valid_to
    from boundaries
    union all
    select
        account_id,
        'completed' as setup_stage,
        completed_from as valid_from,
        cast(null as {{ dbt.type_timestamp() }}) as valid_to
    from boundaries

),

final as (

    select
        {{ stable_hash(['account_id', 'valid_from']) }} as account_stage_interval_id,
        account_id,
        setup_stage,
        valid_from,
        valid_to,
        valid_to is null as is_current
    from intervals
    where
        valid_from is not null
        and (valid_to is null or valid_from < valid_to)

)

select * from final
