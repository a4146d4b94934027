{#-
    Friction rules of the "signals" family (SPEC 6), read off signal events rather than the setup's
    steps or errors, one row per setup and segment with entered_at and segment_event_count:
    - reconnect_loop (any status, completed included): two consecutive reconnect attempts at most
      reconnect_loop_window_hours apart, both within the last reconnect_loop_lookback_days;
    - high_intent_stalled (open setups): docs or pricing views (this integration or account-level)
      within high_intent_lookback_days and no progress for high_intent_no_progress_hours.
    Rules and entered_at in _friction__docs.md; thresholds through threshold_after/before().
-#}
{#- A table: its data tests and its reader would each recompute a view. -#}
{{ config(materialized='table') }}

{%- set as_of = as_of_literal() -%}

with

setup_state as (

    select * from {{ ref('int_setup_state') }}

),

events as (

    select * from {{ ref('int_setup_events_enriched') }}
    where occurred_at <= {{ as_of }}

),

reconnect_events as (

    select * from events
    where event_name = 'integration_reconnect_attempted'

),

intent_events as (

    -- Docs or pricing views, for an integration or account-level (no integration).
    select * from events
    where event_name in ('setup_docs_viewed', 'pricing_viewed')

),

open_setups as (

    select * from setup_state
    where not is_completed

),

reconnects as (

    select
        account_id,
        integration_type,
        occurred_at,
        lag(occurred_at) over (
            partition by account_id, integration_type
            order by occurred_at, event_id
        ) as previous_reconnect_at
    from reconnect_events
    where integration_type is not null

),

reconnect_pairs as (

    -- A pair of consecutive reconnects at most reconnect_loop_window_hours apart makes the rule
    -- true from the later one until the earlier one leaves the lookback window.
    select
        account_id,
        integration_type,
        occurred_at as pair_completed_at,
        {{ threshold_after('reconnect_loop_lookback_days', 'previous_reconnect_at') }} as pair_expires_at
    from reconnects
    where
        previous_reconnect_at is not null
        and occurred_at <= {{ threshold_after('reconnect_loop_window_hours', 'previous_reconnect_at') }}
        and occurred_at <= {{ threshold_after('reconnect_loop_lookback_days', 'previous_reconnect_at') }}

),

reconnect_pair_islands as (

    -- A pair starts a new stretch of "rule true" when it completes after every earlier pair
    -- has expired (gaps and islands, one window pass per setup).
    select
        reconnect_pairs.*,
        max(pair_expires_at) over (
            partition by account_id, integration_type
            order by pair_completed_at, pair_expires_at
            rows between unbounded preceding and 1 preceding
        ) as earlier_pairs_expire_at
    from reconnect_pairs

),

reconnect_counts as (

    select
        account_id,
        integration_type,
        count(*) as reconnects_in_lookback_count
    from reconnects
    where occurred_at >= {{ threshold_before('reconnect_loop_lookback_days', as_of) }}
    group by account_id, integration_type

),

reconnect_loop_islands as (

    select
        account_id,
        integration_type,
        max(
            case
                when earlier_pairs_expire_at is null or pair_completed_at > earlier_pairs_expire_at
                    then pair_completed_at
            end
        ) as entered_at
    from reconnect_pair_islands
    group by account_id, integration_type
    having max(pair_expires_at) >= {{ as_of }}

),

reconnect_loop as (

    -- Any status, completed setups included (SPEC 6).
    select
        setup_state.account_id,
        setup_state.integration_type,
        'reconnect_loop' as segment,
        reconnect_loop_islands.entered_at,
        reconnect_counts.reconnects_in_lookback_count as segment_event_count
    from reconnect_loop_islands
    inner join setup_state
        on
            reconnect_loop_islands.account_id = setup_state.account_id
            and reconnect_loop_islands.integration_type = setup_state.integration_type
    left join reconnect_counts
        on
            reconnect_loop_islands.account_id = reconnect_counts.account_id
            and reconnect_loop_islands.integration_type = reconnect_counts.integration_type

),

stalled_open_setups as (

    select
        account_id,
        integration_type,
        {{ threshold_after('high_intent_no_progress_hours', 'last_progress_at') }} as stalled_since
    from open_setups
    where {{ threshold_after('high_intent_no_progress_hours', 'last_progress_at') }} <= {{ as_of }}

),

intent_views as (

    -- Docs or pricing views for this integration, or account-level ones (no integration).
    select
        stalled_open_setups.account_id,
        stalled_open_setups.integration_type,
        intent_events.occurred_at,
        lag(intent_events.occurred_at) over (
            partition by stalled_open_setups.account_id, stalled_open_setups.integration_type
            order by intent_events.occurred_at, intent_events.event_id
        ) as previous_view_at
    from stalled_open_setups
    inner join intent_events
        on
            stalled_open_setups.account_id = intent_events.account_id
            and (
                stalled_open_setups.integration_type = intent_events.integration_type
                or intent_events.integration_type is null
            )

),

intent_islands as (

    -- A view keeps the rule's intent part true for high_intent_lookback_days; the current
    -- stretch starts at the first view not covered by the one before it.
    select
        account_id,
        integration_type,
        max(
            case
                when
                    previous_view_at is null
                    or occurred_at > {{ threshold_after('high_intent_lookback_days', 'previous_view_at') }}
                    then occurred_at
            end
        ) as intent_since,
        count(
            case
                when occurred_at >= {{ threshold_before('high_intent_lookback_days', as_of) }} then 1
            end
        ) as views_in_lookback_count
    from intent_views
    group by account_id, integration_type
    having max(occurred_at) >= {{ threshold_before('high_intent_lookback_days', as_of) }}

),

high_intent_stalled as (

    -- entered_at: the later of the start of the current stretch of views and the moment the
    -- setup had gone high_intent_no_progress_hours without progress.
    select
        stalled_open_setups.account_id,
        stalled_open_setups.integration_type,
        'high_intent_stalled' as segment,
        case
            when intent_islands.intent_since > stalled_open_setups.stalled_since
                then intent_islands.intent_since
            else stalled_open_setups.stalled_since
        end as entered_at,
        intent_islands.views_in_lookback_count as segment_event_count
    from stalled_open_setups
    inner join intent_islands
        on
            stalled_open_setups.account_id = intent_islands.account_id
            and stalled_open_setups.integration_type = intent_islands.integration_type

),

final as (

    select * from reconnect_loop
    union all
    select * from high_intent_stalled

)

select * from final
