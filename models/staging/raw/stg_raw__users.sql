{#- Current state of each user: the CDC row with the latest updated_at wins. Admins are owner and admin. -#}
with

source as (

    select * from {{ source('raw', 'users') }}
    where user_id is not null

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
        user_id,
        account_id,
        lower(trim(email)) as email,
        {{ normalize_name('role') }} as role,
        coalesce({{ normalize_name('role') }} in ('owner', 'admin'), false) as is_admin,
        -- Unknown consent is treated as no opt-out recorded; the messaging tool keeps its own list too.
        coalesce(email_opt_out, false) as is_email_opt_out,
        created_at,
        updated_at
    from ranked
    where recency_number = 1

)

select * from final
