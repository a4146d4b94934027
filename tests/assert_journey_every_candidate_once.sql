-- Every journey candidate ends in exactly one of export_journey_due and journey_suppressions,
-- and nothing else is in either. Returns the sync_keys that break this.
with

candidates as (

    select sync_key from {{ ref('int_journey_candidates') }}

),

placed as (

    select sync_key from {{ ref('export_journey_due') }}
    union all
    select sync_key from {{ ref('journey_suppressions') }}

),

placed_counts as (

    select
        sync_key,
        count(*) as placed_count
    from placed
    group by sync_key

),

final as (

    select
        coalesce(candidates.sync_key, placed_counts.sync_key) as sync_key,
        coalesce(placed_counts.placed_count, 0) as placed_count,
        candidates.sync_key is not null as is_candidate
    from candidates
    full outer join placed_counts
        on candidates.sync_key = placed_counts.sync_key
    where
        candidates.sync_key is null
        or placed_counts.sync_key is null
        or placed_counts.placed_count <> 1

)

select * from final
