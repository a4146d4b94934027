{#-
    Friction rules of the "progress stalled" family (SPEC 6), one row per setup and segment the
    rule holds for, with entered_at: started_no_credentials, the three "step 2 reached, step 3
    not" rules (credentials_no_connection, connected_no_data, domain_verification_pending),
    needs_admin and abandoned. Open setups only. The path a rule applies to is not checked here:
    friction_segments keeps a row only when the segment's applies_to_path (catalog seed) is null
    or the setup's path. Each threshold is a var read through threshold_after().
-#}
{#- A table: its data tests and its reader would each recompute a view. -#}
{{ config(materialized='table') }}

{%- set as_of = as_of_literal() -%}

with

setup_state as (

    select * from {{ ref('int_setup_state') }}

),

open_setups as (

    select * from setup_state
    where not is_completed

),

started_no_credentials as (

    select
        account_id,
        integration_type,
        'started_no_credentials' as segment,
        {{ threshold_after('started_no_credentials_after_hours', 'started_at') }} as entered_at
    from open_setups
    where
        step_2_reached_at is null
        and {{ threshold_after('started_no_credentials_after_hours', 'started_at') }} <= {{ as_of }}

),

credentials_no_connection as (

    -- Step 2 reached, step 3 not, for credentials_no_connection_after_hours.
    select
        account_id,
        integration_type,
        'credentials_no_connection' as segment,
        {{ threshold_after('credentials_no_connection_after_hours', 'step_2_reached_at') }} as entered_at
    from open_setups
    where
        step_3_reached_at is null
        and {{ threshold_after('credentials_no_connection_after_hours', 'step_2_reached_at') }} <= {{ as_of }}

),

connected_no_data as (

    -- Step 2 reached, step 3 not, for connected_no_data_after_hours.
    select
        account_id,
        integration_type,
        'connected_no_data' as segment,
        {{ threshold_after('connected_no_data_after_hours', 'step_2_reached_at') }} as entered_at
    from open_setups
    where
        step_3_reached_at is null
        and {{ threshold_after('connected_no_data_after_hours', 'step_2_reached_at') }} <= {{ as_of }}

),

domain_verification_pending as (

    -- Step 2 reached, step 3 not, for domain_verification_pending_after_hours.
    select
        account_id,
        integration_type,
        'domain_verification_pending' as segment,
        {{ threshold_after('domain_verification_pending_after_hours', 'step_2_reached_at') }} as entered_at
    from open_setups
    where
        step_3_reached_at is null
        and {{ threshold_after('domain_verification_pending_after_hours', 'step_2_reached_at') }} <= {{ as_of }}

),

needs_admin as (

    -- The rule lives in int_setup_state (is_admin_needed, needs_admin_since).
    select
        account_id,
        integration_type,
        'needs_admin' as segment,
        needs_admin_since as entered_at
    from open_setups
    where is_admin_needed

),

abandoned as (

    -- The rule lives in int_setup_state (status abandoned after abandoned_after_days idle).
    select
        account_id,
        integration_type,
        'abandoned' as segment,
        abandoned_at as entered_at
    from open_setups
    where status = 'abandoned'

),

final as (

    select * from started_no_credentials
    union all
    select * from credentials_no_connection
    union all
    select * from connected_no_data
    union all
    select * from domain_verification_pending
    union all
    select * from needs_admin
    union all
    select * from abandoned

)

select * from final
