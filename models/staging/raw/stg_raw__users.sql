{#- Current state of each user: the CDC row with the latest updated_at wins. Admin roles come from the user_roles seed.
    A table, not a view: it is read by the setup state, journey candidates and account state models
    and by its data tests, and a view would rank every CDC row again for each of them. -#}
{{ config(materialized='table') }}

with

source as (

    select * from {{ source('raw', 'users') }}
    where user_id is not null

),

user_roles as (

    select * from {{ ref('user_roles') }}

),

ranked as (

    select
        source.*,
        row_number() over (
            partition by user_id
            order by updated_at desc nulls last, created_at desc, email asc
        ) as recency_number
    from source

),

final as (

    select
        ranked.user_id,
        ranked.account_id,
        lower(trim(ranked.email)) as email,
        {{ normalize_name('ranked.role') }} as role,
        coalesce(user_roles.is_admin, false) as is_admin,
        -- Unknown consent is treated as no opt-out recorded; the messaging tool keeps its own list too.
        coalesce(ranked.email_opt_out, false) as is_email_opt_out,
        ranked.created_at,
        ranked.updated_at
    from ranked
    left join user_roles
        on {{ normalize_name('ranked.role') }} = user_roles.role
    where ranked.recency_number = 1

)

select * from final
