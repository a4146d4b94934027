{#-
    Friction segments (SPEC 6): one row per account x integration_type x segment that the setup
    is in as of as_of, with entered_at (when the rule first became true), the evidence a person
    needs to see why, and the segment's response row. Segments are not exclusive. A thin mart:
    the rules live in three models by family (int_friction_progress_stalls, int_friction_errors,
    int_friction_signals); this model unions them, keeps the accounts known to raw.accounts
    (account_integration_state), keeps a row only on the setup paths the catalog's
    applies_to_path allows, and builds the evidence sentence from the catalog's
    evidence_template. See _friction__docs.md for every rule and its entered_at.
-#}
{%- set as_of = as_of_literal() -%}

with

progress_stalls as (

    select * from {{ ref('int_friction_progress_stalls') }}

),

error_segments as (

    select * from {{ ref('int_friction_errors') }}

),

signal_segments as (

    select * from {{ ref('int_friction_signals') }}

),

setups as (

    select * from {{ ref('account_integration_state') }}

),

segment_catalog as (

    select * from {{ ref('friction_segment_catalog') }}

),

errors_after_progress as (

    select * from {{ ref('int_setup_errors_after_progress') }}

),

segments_unioned as (

    select
        account_id,
        integration_type,
        segment,
        entered_at,
        cast(null as {{ dbt.type_string() }}) as segment_error_codes,
        cast(null as {{ dbt.type_int() }}) as segment_event_count
    from progress_stalls
    union all
    select
        account_id,
        integration_type,
        segment,
        entered_at,
        segment_error_codes,
        segment_event_count
    from error_segments
    union all
    select
        account_id,
        integration_type,
        segment,
        entered_at,
        cast(null as {{ dbt.type_string() }}) as segment_error_codes,
        segment_event_count
    from signal_segments

),

segments_on_their_path as (

    -- Accounts known to raw.accounts, and only the setup paths the segment applies to.
    select
        segments_unioned.*,
        segment_catalog.evidence_template
    from segments_unioned
    inner join setups
        on
            segments_unioned.account_id = setups.account_id
            and segments_unioned.integration_type = setups.integration_type
    inner join segment_catalog
        on segments_unioned.segment = segment_catalog.segment
    where
        segment_catalog.applies_to_path is null
        or segment_catalog.applies_to_path = setups.setup_path

),

errors_after_progress_per_setup as (

    select
        account_id,
        integration_type,
        {{ sum_of_counts('errors_after_progress_count') }} as errors_after_progress_count
    from errors_after_progress
    group by account_id, integration_type

),

segments_evidenced as (

    -- The catalog's evidence_template with the setup's values filled in.
    select
        segments_on_their_path.*,
        {{ fill_evidence_template('segments_on_their_path.evidence_template', {
            'step_2_name': 'setups.step_2_name',
            'segment_error_codes': 'segments_on_their_path.segment_error_codes',
            'segment_event_count': 'segments_on_their_path.segment_event_count',
            'starter_role': "coalesce(setups.starter_role, 'user of unknown role')",
            'last_event_at': 'setups.last_event_at',
            'last_error_code': 'setups.last_error_code',
            'last_error_class': 'setups.last_error_class',
        }) }} as evidence_filled
    from segments_on_their_path
    inner join setups
        on
            segments_on_their_path.account_id = setups.account_id
            and segments_on_their_path.integration_type = setups.integration_type

),

final as (

    select
        {{ stable_hash(['segments_evidenced.account_id', 'segments_evidenced.integration_type', 'segments_evidenced.segment']) }}
            as friction_segment_id,
        segments_evidenced.account_id,
        segments_evidenced.integration_type,
        segments_evidenced.segment,
        segments_evidenced.entered_at,
        {{ hours_between('segments_evidenced.entered_at', as_of) }} as hours_in_segment,
        segment_catalog.segment_order,
        segment_catalog.display_name as segment_display_name,
        segments_evidenced.segment_error_codes,
        segments_evidenced.segment_event_count,
        {{ evidence_or_null('segments_evidenced.evidence_filled') }} as evidence,
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
        {{ hours_between('setups.last_progress_at', as_of) }} as hours_stalled,
        setups.error_count,
        coalesce(errors_after_progress_per_setup.errors_after_progress_count, 0) as errors_after_progress_count,
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
    from segments_evidenced
    inner join setups
        on
            segments_evidenced.account_id = setups.account_id
            and segments_evidenced.integration_type = setups.integration_type
    inner join segment_catalog
        on segments_evidenced.segment = segment_catalog.segment
    left join errors_after_progress_per_setup
        on
            segments_evidenced.account_id = errors_after_progress_per_setup.account_id
            and segments_evidenced.integration_type = errors_after_progress_per_setup.integration_type

)

select * from final
