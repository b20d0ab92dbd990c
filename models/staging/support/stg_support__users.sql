{#- One row per help-desk user. -#}
with

users as not materialized (
    select * from {{ ref('base_support__users') }}
),

usable as (
    {{ kept_lines('users', 'support/users') }}
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
