-- How much raw input was staged, removed as duplicate or quarantined per received day.
-- Compile with `dbt compile --select data_quality_by_day` and run the SQL in target/compiled.
with

staged as (

    select
        {{ dbt.date_trunc('day', 'received_at') }} as received_day,
        count(*) as staged_rows
    from {{ ref('stg_raw__setup_events') }}
    group by 1

),

duplicates as (

    select
        {{ dbt.date_trunc('day', 'received_at') }} as received_day,
        count(*) as duplicate_rows
    from {{ ref('stg_raw__setup_events_duplicates') }}
    group by 1

),

quarantined as (

    select
        {{ dbt.date_trunc('day', 'received_at') }} as received_day,
        count(*) as quarantined_rows
    from {{ ref('setup_events_quarantine') }}
    group by 1

),

final as (

    select
        coalesce(staged.received_day, duplicates.received_day, quarantined.received_day) as received_day,
        coalesce(staged.staged_rows, 0) as staged_rows,
        coalesce(duplicates.duplicate_rows, 0) as duplicate_rows,
        coalesce(quarantined.quarantined_rows, 0) as quarantined_rows
    from staged
    full outer join duplicates
        on staged.received_day = duplicates.received_day
    full outer join quarantined
        on coalesce(staged.received_day, duplicates.received_day) = quarantined.received_day

)

select * from final
order by 1
