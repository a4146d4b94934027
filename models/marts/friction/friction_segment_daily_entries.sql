{#-
    Entries per day: one row per day of entered_at x segment x integration_type, counting the
    setups (and accounts) of friction_segments that entered the segment that day. A fix shows
    as fewer entries on the days after it ships. Built from the current as_of snapshot: a setup
    that has already left a segment is no longer counted on the day it entered; rebuild with an
    earlier as_of to see the past as it was.
-#}
with

friction_segments as (

    select * from {{ ref('friction_segments') }}

),

aggregated as (

    select
        cast(entered_at as date) as entered_on,
        segment,
        integration_type,
        count(*) as setups_entered,
        count(distinct account_id) as accounts_entered,
        min(as_of) as as_of
    from friction_segments
    group by cast(entered_at as date), segment, integration_type

),

final as (

    select
        {{ stable_hash(['entered_on', 'segment', 'integration_type']) }} as friction_segment_daily_entry_id,
        aggregated.*
    from aggregated

)

select * from final
