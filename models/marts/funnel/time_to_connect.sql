{#-
    One row per started setup (account x integration_type) of an account known to raw.accounts,
    as of as_of: minutes from start to each step and to completion, signup to completion, the
    conversion window, and the censoring fields the survival curve uses. Reads the per-setup
    state, never events.
-#}
{%- set as_of = as_of_literal() -%}

with

setups as (

    select * from {{ ref('account_integration_state') }}

),

accounts as (

    select * from {{ ref('account_setup_state') }}

),

windowed as (

    select
        setups.*,
        cast({{ dbt.date_trunc('week', 'setups.started_at') }} as date) as cohort_week,
        {{ threshold_after('conversion_window_days', 'setups.started_at') }} as conversion_window_ends_at,
        accounts.first_workflow_launched_at
    from setups
    left join accounts
        on setups.account_id = accounts.account_id

),

measured as (

    select
        {{ stable_hash(['account_id', 'integration_type']) }} as setup_id,
        account_id,
        integration_type,
        display_name,
        category,
        setup_path,
        step_count,
        plan_tier,
        acquisition_source,
        starter_role,
        status,
        is_completed,
        cohort_week,
        signed_up_at,
        started_at,
        step_2_reached_at,
        step_3_reached_at,
        step_4_reached_at,
        completed_at,
        conversion_window_ends_at,
        {%- for step in range(2, 5) %}
        {{ minutes_between('started_at', 'step_' ~ step ~ '_reached_at') }} as minutes_to_step_{{ step }},
        {%- endfor %}
        {{ minutes_between('started_at', 'completed_at') }} as minutes_to_complete,
        {{ minutes_between('signed_up_at', 'started_at') }} as signup_to_start_minutes,
        {{ minutes_between('signed_up_at', 'completed_at') }} as signup_to_complete_minutes,
        coalesce(completed_at <= conversion_window_ends_at, false) as is_completed_within_window,
        conversion_window_ends_at > {{ as_of }} as is_window_open,
        -- Survival analysis: a completion is an event at minutes_to_complete; every other setup
        -- (in progress, blocked or abandoned: it may still complete) is censored at as_of.
        not is_completed as is_censored,
        case
            when is_completed then {{ minutes_between('started_at', 'completed_at') }}
            else {{ minutes_between('started_at', as_of) }}
        end as observed_minutes,
        error_count,
        error_count > 0 as has_error,
        coalesce(first_error_at < completed_at, false) as is_error_recovered,
        first_workflow_launched_at,
        first_workflow_launched_at is not null as is_account_activated,
        case
            when is_completed
                then row_number() over (
                    partition by account_id
                    order by case when is_completed then 0 else 1 end, completed_at, integration_type
                ) = 1
            else false
        end as is_first_completed_integration
    from windowed

),

final as (

    select
        measured.*,
        not is_completed_within_window and is_window_open as is_completion_pending,
        {{ as_of }} as as_of
    from measured

)

select * from final
