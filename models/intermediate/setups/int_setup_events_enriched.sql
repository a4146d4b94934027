{#-
    Staged events with what the seeds say about them: the setup path of their integration, the
    step they represent on that path (null when not a step of it), and the error class. A view:
    seed edits apply on the next run without reloading events.
-#}
with

events as (

    select * from {{ ref('stg_raw__setup_events') }}

),

catalog as (

    select * from {{ ref('int_integration_catalog_resolved') }}

),

path_steps as (

    select * from {{ ref('setup_path_steps') }}

),

error_taxonomy as (

    select * from {{ ref('error_taxonomy') }}

),

final as (

    select
        events.event_id,
        events.event_name,
        events.event_category,
        events.occurred_at,
        events.received_at,
        events.account_id,
        events.user_id,
        events.integration_type,
        catalog.setup_path,
        path_steps.step_number,
        coalesce(path_steps.is_completion_step, false) as is_completion_step,
        -- SPEC 6: equal occurred_at are ordered by step order, then event_id; events that are
        -- not steps of the path sort after the steps (as nulls sort last).
        coalesce(path_steps.step_number, 99) as step_sort_order,
        events.event_category = 'error' as is_error,
        events.error_code,
        case
            when events.event_category = 'error' then coalesce(error_taxonomy.error_class, 'unknown')
        end as error_class,
        events.has_malformed_properties,
        events.environment,
        events.key_scope,
        events.setup_surface,
        events.integration_status,
        events.provider,
        events.sending_domain,
        events.verification_method,
        events.initiated_by_role
    from events
    left join catalog
        on events.integration_type = catalog.integration_type
    left join path_steps
        on
            catalog.setup_path = path_steps.setup_path
            and events.event_name = path_steps.step_name
    left join error_taxonomy
        on events.error_code = error_taxonomy.error_code

)

select * from final
