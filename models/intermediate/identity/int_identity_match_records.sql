{#- What probabilistic matching compares: every live contact, and every
    help-desk end user the rules did not link. A role mailbox (info@ ...) says
    nothing about a person, so its local part is left out. -#}
with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

users as (
    select * from {{ ref('stg_support__users') }}
),

rule_links as (
    select * from {{ ref('int_identity_rule_links') }}
),

contact_records as (
    select
        'contact' as record_side,
        contact_id as record_id,
        first_name,
        last_name,
        phone,
        case when not {{ is_role_mailbox('email') }} then split_part(email, '@', 1) end as email_local
    from contacts
    where not is_deleted
),

unlinked_users as (
    select
        'support_user' as record_side,
        users.user_id::varchar as record_id,
        split_part(users.user_name, ' ', 1) as first_name,
        nullif(trim(substr(users.user_name, length(split_part(users.user_name, ' ', 1)) + 1)), '')
            as last_name,
        users.phone,
        case
            when not {{ is_role_mailbox('users.email') }} then split_part(users.email, '@', 1)
        end as email_local
    from users
    anti join rule_links
        on
            rule_links.record_type = 'support_user'
            and users.user_id::varchar = rule_links.record_id
    where users.user_role = 'end-user'
),

final as (
    select * from contact_records
    union all
    select * from unlinked_users
)

select * from final
