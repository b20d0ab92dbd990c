{#- One row per help-desk user. -#}
with

users as (
    select * from {{ ref('base_support__users') }}
),

usable as (
    select * from users
    where len(_defects) = 0
    qualify {{ line_rank('user_id', 'created_at') }} = 1
),

final as (
    select
        user_id,
        email,
        user_name,
        phone_raw,
        phone,
        user_role,
        external_contact_id,
        created_at,
        user_role in ('agent', 'admin') as is_staff
    from usable
)

select * from final
