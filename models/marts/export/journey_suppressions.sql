{#-
    Every journey candidate that is not sent this run, with the first guardrail it failed
    (SPEC 6): the same columns as export_journey_due plus suppression_reason. Together with the
    export it holds every candidate exactly once.
-#}
{{ config(materialized='table') }}

with

guarded as (

    select * from {{ ref('int_journey_guardrails') }}
    where suppression_reason is not null

),

final as (

    select
        {{ journey_export_columns('guarded') }},
        guarded.suppression_reason
    from guarded

)

select * from final
