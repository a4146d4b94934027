-- The growth-team marts must add up to friction_segments: per segment and integration, the
-- summary's setups and the daily entries both equal the rows of friction_segments, and the
-- summary's accounts equal the distinct accounts (one account appears once per integration).
-- Returns the segments x integrations where any count differs.
with

segments as (

    select
        segment,
        integration_type,
        count(*) as setups,
        count(distinct account_id) as accounts
    from {{ ref('friction_segments') }}
    group by segment, integration_type

),

summary as (

    select
        segment,
        integration_type,
        sum(setups_in_segment) as setups,
        sum(accounts_in_segment) as accounts
    from {{ ref('friction_segment_summary') }}
    group by segment, integration_type

),

daily as (

    select
        segment,
        integration_type,
        sum(setups_entered) as setups
    from {{ ref('friction_segment_daily_entries') }}
    group by segment, integration_type

),

compared as (

    select
        coalesce(segments.segment, summary.segment, daily.segment) as segment,
        coalesce(segments.integration_type, summary.integration_type, daily.integration_type) as integration_type,
        coalesce(segments.setups, 0) as segment_setups,
        coalesce(summary.setups, 0) as summary_setups,
        coalesce(daily.setups, 0) as daily_setups,
        coalesce(segments.accounts, 0) as segment_accounts,
        coalesce(summary.accounts, 0) as summary_accounts
    from segments
    full outer join summary
        on
            segments.segment = summary.segment
            and segments.integration_type = summary.integration_type
    full outer join daily
        on
            coalesce(segments.segment, summary.segment) = daily.segment
            and coalesce(segments.integration_type, summary.integration_type) = daily.integration_type

)

select * from compared
where
    segment_setups <> summary_setups
    or segment_setups <> daily_setups
    or segment_accounts <> summary_accounts
