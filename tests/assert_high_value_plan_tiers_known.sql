{#-
    Every tier named in the high_value_plan_tiers var is a plan tier of the plan_tiers seed. The var
    is also checked when a run starts (validate_vars), where the engine can read the seed; this
    test covers the first build on an engine that cannot.
-#}
with

configured_tiers as (

    {%- for tier in var('high_value_plan_tiers') %}
    select '{{ tier | replace("'", "''") }}' as plan_tier
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

plan_tiers as (

    select * from {{ ref('plan_tiers') }}

),

final as (

    select configured_tiers.plan_tier
    from configured_tiers
    left join plan_tiers
        on configured_tiers.plan_tier = plan_tiers.plan_tier
    where plan_tiers.plan_tier is null

)

select * from final
