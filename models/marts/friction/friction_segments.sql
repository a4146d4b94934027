{#-
    Friction segments (SPEC 6): one row per account x integration_type x segment that the setup
    is in as of as_of, with entered_at (when the rule first became true) and the evidence a
    person needs to see why. Segments are not exclusive. Only accounts known to raw.accounts
    (read through account_integration_state). Rules already computed by int_setup_state
    (repeated errors, needs admin, status) are reused, not recomputed; each threshold is a var
    read through macros/friction. See _friction__docs.md for every rule and its entered_at.
-#}
{%- set as_of = as_of_literal() -%}

with

setups as (

    select * from {{ ref('account_integration_state') }}

),

segment_catalog as (

    select * from {{ ref('friction_segment_catalog') }}

),

setup_errors as (

    select * from {{ ref('int_setup_errors_sequenced') }}

),

signal_events as (

    -- One scan of the events for both event-based rules (reconnects, docs and pricing views).
    select
        account_id,
        integration_type,
        event_name,
        event_id,
        occurred_at
    from {{ ref('int_setup_events_enriched') }}
    where
        event_name in ('integration_reconnect_attempted', 'setup_docs_viewed', 'pricing_viewed')
        and occurred_at <= {{ as_of }}

),

open_setups as (

    select * from setups
    where not is_completed

),

started_no_credentials as (

    select
        account_id,
        integration_type,
        'started_no_credentials' as segment,
        {{ friction_after('started_no_credentials_after_hours', 'started_at') }} as entered_at,
        cast(null as {{ dbt.type_string() }}) as segment_error_codes,
        cast(null as {{ dbt.type_int() }}) as segment_event_count
    from open_setups
    where
        step_2_reached_at is null
        and {{ friction_after('started_no_credentials_after_hours', 'started_at') }} <= {{ as_of }}

),

credentials_no_connection as (

    select
        account_id,
        integration_type,
        'credentials_no_connection' as segment,
        {{ friction_after('credentials_no_connection_after_hours', 'step_2_reached_at') }} as entered_at,
        cast(null as {{ dbt.type_string() }}) as segment_error_codes,
        cast(null as {{ dbt.type_int() }}) as segment_event_count
    from open_setups
    where
        setup_path = 'api'
        and step_3_reached_at is null
        and {{ friction_after('credentials_no_connection_after_hours', 'step_2_reached_at') }} <= {{ as_of }}

),

connected_no_data as (

    select
        account_id,
        integration_type,
        'connected_no_data' as segment,
        {{ friction_after('connected_no_data_after_hours', 'step_2_reached_at') }} as entered_at,
        cast(null as {{ dbt.type_string() }}) as segment_error_codes,
        cast(null as {{ dbt.type_int() }}) as segment_event_count
    from open_setups
    where
        setup_path = 'oauth'
        and step_3_reached_at is null
        and {{ friction_after('connected_no_data_after_hours', 'step_2_reached_at') }} <= {{ as_of }}

),

domain_verification_pending as (

    select
        account_id,
        integration_type,
        'domain_verification_pending' as segment,
        {{ friction_after('domain_verification_pending_after_hours', 'step_2_reached_at') }} as entered_at,
        cast(null as {{ dbt.type_string() }}) as segment_error_codes,
        cast(null as {{ dbt.type_int() }}) as segment_event_count
    from open_setups
    where
        setup_path = 'domain'
        and step_3_reached_at is null
        and {{ friction_after('domain_verification_pending_after_hours', 'step_2_reached_at') }} <= {{ as_of }}

),

errors_after_progress as (

    -- Per setup: errors after last progress, and the number of the last error that ends the
    -- trailing run of same-class errors (an error before progress, or of another class than
    -- the latest error). error_number follows SPEC 6 event order, like last_error_class.
    select
        setup_errors.account_id,
        setup_errors.integration_type,
        sum(
            case
                when setups.last_progress_at is null or setup_errors.occurred_at > setups.last_progress_at
                    then 1
                else 0
            end
        ) as errors_after_progress_count,
        max(setup_errors.error_number) as last_error_number,
        coalesce(max(
            case
                when
                    setup_errors.occurred_at <= setups.last_progress_at
                    or setup_errors.error_class <> setups.last_error_class
                    then setup_errors.error_number
            end
        ), 0) as run_break_error_number
    from setup_errors
    inner join setups
        on
            setup_errors.account_id = setups.account_id
            and setup_errors.integration_type = setups.integration_type
    group by setup_errors.account_id, setup_errors.integration_type

),

repeated_errors as (

    -- The rule lives in int_setup_state (has_repeated_errors, repeated_errors_since).
    select
        open_setups.account_id,
        open_setups.integration_type,
        'repeated_errors' as segment,
        open_setups.repeated_errors_since as entered_at,
        open_setups.repeated_error_codes as segment_error_codes,
        errors_after_progress.errors_after_progress_count as segment_event_count
    from open_setups
    left join errors_after_progress
        on
            open_setups.account_id = errors_after_progress.account_id
            and open_setups.integration_type = errors_after_progress.integration_type
    where open_setups.has_repeated_errors

),

error_class_setups as (

    -- The latest error after last progress has a class the segment catalog maps to a segment.
    select
        open_setups.account_id,
        open_setups.integration_type,
        segment_catalog.segment,
        errors_after_progress.run_break_error_number,
        errors_after_progress.last_error_number
    from open_setups
    inner join segment_catalog
        on open_setups.last_error_class = segment_catalog.error_class
    inner join errors_after_progress
        on
            open_setups.account_id = errors_after_progress.account_id
            and open_setups.integration_type = errors_after_progress.integration_type
    where open_setups.is_last_error_after_progress

),

error_class_segments as (

    -- entered_at: the first error of the trailing run of errors of that class after last
    -- progress (from then on, the latest error after progress has had that class).
    select
        error_class_setups.account_id,
        error_class_setups.integration_type,
        error_class_setups.segment,
        min(setup_errors.occurred_at) as entered_at,
        {{ ordered_string_agg('setup_errors.error_code', ', ', distinct=true) }}
            as segment_error_codes,
        count(*) as segment_event_count
    from error_class_setups
    inner join setup_errors
        on
            error_class_setups.account_id = setup_errors.account_id
            and error_class_setups.integration_type = setup_errors.integration_type
            and error_class_setups.run_break_error_number < setup_errors.error_number
    group by error_class_setups.account_id, error_class_setups.integration_type, error_class_setups.segment

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
    from signal_events
    where
        event_name = 'integration_reconnect_attempted'
        and integration_type is not null

),

reconnect_pairs as (

    -- A pair of consecutive reconnects at most reconnect_loop_window_hours apart makes the rule
    -- true from the later one until the earlier one leaves the lookback window.
    select
        account_id,
        integration_type,
        occurred_at as pair_completed_at,
        {{ friction_after('reconnect_loop_lookback_days', 'previous_reconnect_at') }} as pair_expires_at
    from reconnects
    where
        previous_reconnect_at is not null
        and occurred_at <= {{ friction_after('reconnect_loop_window_hours', 'previous_reconnect_at') }}
        and occurred_at <= {{ friction_after('reconnect_loop_lookback_days', 'previous_reconnect_at') }}

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
    where occurred_at >= {{ friction_before('reconnect_loop_lookback_days', as_of) }}
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
        setups.account_id,
        setups.integration_type,
        'reconnect_loop' as segment,
        reconnect_loop_islands.entered_at,
        cast(null as {{ dbt.type_string() }}) as segment_error_codes,
        reconnect_counts.reconnects_in_lookback_count as segment_event_count
    from reconnect_loop_islands
    inner join setups
        on
            reconnect_loop_islands.account_id = setups.account_id
            and reconnect_loop_islands.integration_type = setups.integration_type
    left join reconnect_counts
        on
            reconnect_loop_islands.account_id = reconnect_counts.account_id
            and reconnect_loop_islands.integration_type = reconnect_counts.integration_type

),

stalled_open_setups as (

    select
        account_id,
        integration_type,
        {{ friction_after('high_intent_no_progress_hours', 'last_progress_at') }} as stalled_since
    from open_setups
    where {{ friction_after('high_intent_no_progress_hours', 'last_progress_at') }} <= {{ as_of }}

),

intent_views as (

    -- Docs or pricing views for this integration, or account-level ones (no integration).
    select
        stalled_open_setups.account_id,
        stalled_open_setups.integration_type,
        signal_events.occurred_at,
        lag(signal_events.occurred_at) over (
            partition by stalled_open_setups.account_id, stalled_open_setups.integration_type
            order by signal_events.occurred_at, signal_events.event_id
        ) as previous_view_at
    from stalled_open_setups
    inner join signal_events
        on
            stalled_open_setups.account_id = signal_events.account_id
            and (
                stalled_open_setups.integration_type = signal_events.integration_type
                or signal_events.integration_type is null
            )
    where signal_events.event_name in ('setup_docs_viewed', 'pricing_viewed')

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
                    or occurred_at > {{ friction_after('high_intent_lookback_days', 'previous_view_at') }}
                    then occurred_at
            end
        ) as intent_since,
        sum(
            case
                when occurred_at >= {{ friction_before('high_intent_lookback_days', as_of) }} then 1 else 0
            end
        ) as views_in_lookback_count
    from intent_views
    group by account_id, integration_type
    having max(occurred_at) >= {{ friction_before('high_intent_lookback_days', as_of) }}

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
        cast(null as {{ dbt.type_string() }}) as segment_error_codes,
        intent_islands.views_in_lookback_count as segment_event_count
    from stalled_open_setups
    inner join intent_islands
        on
            stalled_open_setups.account_id = intent_islands.account_id
            and stalled_open_setups.integration_type = intent_islands.integration_type

),

needs_admin as (

    -- The rule lives in int_setup_state (is_admin_needed, needs_admin_since).
    select
        account_id,
        integration_type,
        'needs_admin' as segment,
        needs_admin_since as entered_at,
        cast(null as {{ dbt.type_string() }}) as segment_error_codes,
        cast(null as {{ dbt.type_int() }}) as segment_event_count
    from open_setups
    where is_admin_needed

),

abandoned as (

    -- The rule lives in int_setup_state (status abandoned after abandoned_after_days idle).
    select
        account_id,
        integration_type,
        'abandoned' as segment,
        abandoned_at as entered_at,
        cast(null as {{ dbt.type_string() }}) as segment_error_codes,
        cast(null as {{ dbt.type_int() }}) as segment_event_count
    from open_setups
    where status = 'abandoned'

),

segments_unioned as (

    select * from started_no_credentials
    union all
    select * from credentials_no_connection
    union all
    select * from connected_no_data
    union all
    select * from domain_verification_pending
    union all
    select * from repeated_errors
    union all
    select * from error_class_segments
    union all
    select * from reconnect_loop
    union all
    select * from high_intent_stalled
    union all
    select * from needs_admin
    union all
    select * from abandoned

),

final as (

    select
        {{ stable_hash(['segments_unioned.account_id', 'segments_unioned.integration_type', 'segments_unioned.segment']) }}
            as friction_segment_id,
        segments_unioned.account_id,
        segments_unioned.integration_type,
        segments_unioned.segment,
        segments_unioned.entered_at,
        {{ friction_hours_between('segments_unioned.entered_at', as_of) }} as hours_in_segment,
        segment_catalog.segment_order,
        segment_catalog.display_name as segment_display_name,
        segments_unioned.segment_error_codes,
        segments_unioned.segment_event_count,
        case segments_unioned.segment
            when 'started_no_credentials'
                then 'Started, no step 2 (' || setups.step_2_name || ') yet'
            when 'credentials_no_connection'
                then 'Key created, no test event yet'
            when 'connected_no_data'
                then 'Connected, no completed sync yet'
            when 'domain_verification_pending'
                then 'Domain verification started, not verified yet'
            when 'repeated_errors'
                then 'Same error repeated after last progress: ' || segments_unioned.segment_error_codes
            when 'reconnect_loop'
                then
                    cast(segments_unioned.segment_event_count as {{ dbt.type_string() }})
                    || ' reconnect attempts in the lookback window'
            when 'high_intent_stalled'
                then
                    cast(segments_unioned.segment_event_count as {{ dbt.type_string() }})
                    || ' docs or pricing views in the lookback window, no progress'
            when 'needs_admin'
                then 'Needs an admin; started by a ' || coalesce(setups.starter_role, 'user of unknown role')
            when 'abandoned'
                then 'No event since ' || cast(setups.last_event_at as {{ dbt.type_string() }})
            else
                'Latest error after progress: ' || setups.last_error_code || ' (' || setups.last_error_class || '), '
                || cast(segments_unioned.segment_event_count as {{ dbt.type_string() }}) || ' in a row'
        end as evidence,
        setups.setup_path,
        setups.status,
        setups.is_completed,
        setups.plan_tier,
        setups.acquisition_source,
        cast({{ dbt.date_trunc('week', 'setups.started_at') }} as date) as cohort_week,
        setups.started_at,
        setups.last_progress_at,
        setups.last_event_at,
        setups.last_reached_step,
        setups.next_required_step,
        {{ friction_hours_between('setups.last_progress_at', as_of) }} as hours_stalled,
        setups.error_count,
        coalesce(errors_after_progress.errors_after_progress_count, 0) as errors_after_progress_count,
        setups.distinct_error_code_count,
        setups.last_error_at,
        setups.last_error_code,
        setups.last_error_class,
        setups.repeated_error_codes,
        setups.reconnect_attempt_count,
        setups.docs_view_count,
        setups.pricing_view_count,
        setups.support_ticket_count,
        setups.restart_count,
        setups.starter_user_id,
        setups.starter_role,
        setups.is_starter_admin,
        setups.requires_admin,
        setups.messages_sent_count,
        segment_catalog.meaning as segment_meaning,
        segment_catalog.surface,
        segment_catalog.first_response,
        segment_catalog.guardrail,
        segment_catalog.owner,
        {{ as_of }} as as_of
    from segments_unioned
    inner join setups
        on
            segments_unioned.account_id = setups.account_id
            and segments_unioned.integration_type = setups.integration_type
    left join segment_catalog
        on segments_unioned.segment = segment_catalog.segment
    left join errors_after_progress
        on
            segments_unioned.account_id = errors_after_progress.account_id
            and segments_unioned.integration_type = errors_after_progress.integration_type

)

select * from final
