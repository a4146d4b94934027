{#-
    Growth-team summary of friction_segments: one row per segment x integration_type x
    plan_tier x cohort_week (Monday of the setups' start week), with the accounts and setups in
    the segment as of as_of. Sums over any grouping reconcile with friction_segments
    (tests/assert_friction_summary_reconciles.sql).
-#}
with

friction_segments as (

    select * from {{ ref('friction_segments') }}

),

aggregated as (

    select
        segment,
        integration_type,
        plan_tier,
        cohort_week,
        min(segment_order) as segment_order,
        min(owner) as owner,
        count(distinct account_id) as accounts_in_segment,
        count(*) as setups_in_segment,
        count(case when hours_in_segment < 24 then 1 end) as setups_entered_last_24_hours,
        {{ avg_rounded('hours_in_segment', 1) }} as avg_hours_in_segment,
        max(hours_in_segment) as max_hours_in_segment,
        min(entered_at) as first_entered_at,
        max(entered_at) as last_entered_at,
        min(as_of) as as_of
    from friction_segments
    group by segment, integration_type, plan_tier, cohort_week

),

final as (

    select
        {{ stable_hash(['segment', 'integration_type', 'plan_tier', 'cohort_week']) }} as friction_segment_summary_id,
        aggregated.*
    from aggregated

)

select * from final
