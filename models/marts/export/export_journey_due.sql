{#-
    The journey export (SPEC 6): one row per message due as of as_of, after every guardrail.
    Reverse-ETL syncs diff by sync_key; the columns and their types are fixed by an enforced
    contract (_export__models.yml). Internal-alert hand-off columns are null for other steps.
-#}
{{ config(materialized='table') }}

with

guarded as (

    select * from {{ ref('int_journey_guardrails') }}
    where suppression_reason is null

),

final as (

    select
        {{ journey_export_columns('guarded') }}
    from guarded

)

select * from final
