{#- Current state of each account: the CDC row with the latest updated_at wins.
    A table, not a view: it is read by the journey candidates and the two account state marts and
    by its data tests, and a view would rank every CDC row again for each of them (100M events: one
    of those tests alone took 7 s per night). -#}
{{ config(materialized='table') }}

with

source as (

    select * from {{ source('raw', 'accounts') }}
    where account_id is not null

),

ranked as (

    select
        source.*,
        row_number() over (
            partition by account_id
            order by updated_at desc nulls last, signed_up_at desc, account_name asc
        ) as recency_number,
        count(*) over (partition by account_id) as cdc_row_count
    from source

),

final as (

    select
        account_id,
        account_name,
        {{ normalize_name('plan_tier') }} as plan_tier,
        signed_up_at,
        coalesce({{ normalize_name('acquisition_source') }}, 'unknown') as acquisition_source,
        updated_at,
        cdc_row_count
    from ranked
    where recency_number = 1

)

select * from final
