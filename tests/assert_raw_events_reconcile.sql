{#-
    SPEC 7: every raw event row ends in exactly one place. raw = staged + duplicates removed +
    quarantined; returns a row (failing the test) when they do not add up.
-#}
with

raw_rows as (

    select count(*) as row_count from {{ source('raw', 'setup_events') }}

),

staged as (

    select count(*) as row_count from {{ ref('stg_raw__setup_events') }}

),

duplicates as (

    select count(*) as row_count from {{ ref('stg_raw__setup_events_duplicates') }}

),

quarantined as (

    select count(*) as row_count from {{ ref('setup_events_quarantine') }}

),

final as (

    select
        raw_rows.row_count as raw_rows,
        staged.row_count as staged_rows,
        duplicates.row_count as duplicate_rows,
        quarantined.row_count as quarantined_rows
    from raw_rows
    cross join staged
    cross join duplicates
    cross join quarantined

)

select * from final
where raw_rows <> staged_rows + duplicate_rows + quarantined_rows
