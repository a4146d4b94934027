{#-
    Every integration type seen in the events with its catalog row; a type missing from the
    catalog takes the `__default__` row (and the warning test on this model reports it). The
    reminder windows are the setup path's (seeds/setup_paths.csv, their one home); a catalog row
    may override them for one integration (empty = the path's).
-#}
with

catalog as (

    select * from {{ ref('integration_catalog') }}

),

paths as (

    select * from {{ ref('setup_paths') }}

),

default_row as (

    select * from catalog
    where integration_type = '__default__'

),

seen_types as (

    select distinct integration_type
    from {{ ref('stg_raw__setup_events') }}
    where integration_type is not null

),

all_types as (

    select integration_type from catalog
    where integration_type <> '__default__'
    union
    select integration_type from seen_types

),

resolved as (

    select
        all_types.integration_type,
        coalesce(catalog.display_name, default_row.display_name) as display_name,
        coalesce(catalog.category, default_row.category) as category,
        coalesce(catalog.setup_path, default_row.setup_path) as setup_path,
        coalesce(catalog.requires_admin, default_row.requires_admin) as requires_admin,
        coalesce(catalog.reminder_1_minutes, default_row.reminder_1_minutes) as reminder_1_minutes,
        coalesce(catalog.reminder_2_minutes, default_row.reminder_2_minutes) as reminder_2_minutes,
        coalesce(catalog.reminder_3_minutes, default_row.reminder_3_minutes) as reminder_3_minutes,
        coalesce(catalog.docs_url, default_row.docs_url) as docs_url,
        catalog.integration_type is null as is_missing_from_catalog
    from all_types
    cross join default_row
    left join catalog
        on all_types.integration_type = catalog.integration_type

),

final as (

    select
        resolved.integration_type,
        resolved.display_name,
        resolved.category,
        resolved.setup_path,
        resolved.requires_admin,
        coalesce(resolved.reminder_1_minutes, paths.reminder_1_minutes) as reminder_1_minutes,
        coalesce(resolved.reminder_2_minutes, paths.reminder_2_minutes) as reminder_2_minutes,
        coalesce(resolved.reminder_3_minutes, paths.reminder_3_minutes) as reminder_3_minutes,
        resolved.docs_url,
        resolved.is_missing_from_catalog
    from resolved
    left join paths
        on resolved.setup_path = paths.setup_path

)

select * from final
