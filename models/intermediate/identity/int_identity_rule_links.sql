{#-
    The contract's deterministic identity rules. One row per linked record:
    help-desk users (by external id, else by email), survey responses (by
    contact_ref, else by email), reviews (by the order they reference, else by
    email), anonymous ids (by an identify row) and email addresses. Only live
    contacts are linked to; an email joins only when exactly one live contact
    has it and it is not a role mailbox (info@ ...). A review whose order
    reference matches no order and whose email no rule links, or an anonymous
    review, stays unlinked (it is still a touchpoint, without a customer).
-#}
with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

users as (
    select * from {{ ref('stg_support__users') }}
),

responses as (
    select * from {{ ref('stg_survey__responses') }}
),

activities as (
    select * from {{ ref('stg_crm__activities') }}
),

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

reviews as (
    select * from {{ ref('stg_reviews__reviews') }}
),

live_contacts as (
    select * from contacts
    where not is_deleted
),

email_owners as (
    select
        email,
        min(contact_id) as customer_id
    from live_contacts
    where
        email is not null
        and not {{ is_role_mailbox('email') }}
    group by email
    having count(*) = 1
),

support_users as (
    select
        users.user_id,
        users.email,
        users.external_contact_id,
        contacts.contact_id as known_contact_id
    from users
    left join contacts on users.external_contact_id = contacts.contact_id
    where users.user_role = 'end-user'
),

support_links as (
    -- a known external id decides; an email is used only without one
    select
        'support_user' as record_type,
        support_users.user_id::varchar as record_id,
        coalesce(by_external_id.contact_id, email_owners.customer_id) as customer_id,
        case
            when by_external_id.contact_id is not null then 'support_external_id'
            else 'support_email'
        end as link_rule
    from support_users
    left join live_contacts as by_external_id
        on support_users.known_contact_id = by_external_id.contact_id
    left join email_owners
        on support_users.known_contact_id is null and support_users.email = email_owners.email
),

survey_responses as (
    select
        responses.response_id,
        responses.recipient_email,
        contacts.contact_id as known_contact_id
    from responses
    left join contacts on responses.contact_ref = contacts.contact_id
    where responses.is_real_response
),

survey_links as (
    select
        'survey_response' as record_type,
        survey_responses.response_id as record_id,
        coalesce(by_contact_ref.contact_id, email_owners.customer_id) as customer_id,
        case
            when by_contact_ref.contact_id is not null then 'survey_contact_ref'
            else 'survey_email'
        end as link_rule
    from survey_responses
    left join live_contacts as by_contact_ref
        on survey_responses.known_contact_id = by_contact_ref.contact_id
    left join email_owners
        on
            survey_responses.known_contact_id is null
            and survey_responses.recipient_email = email_owners.email
),

reviewed_orders as (
    -- the order a review references decides; its email is used only without one
    select
        reviews.review_id,
        reviews.reviewer_email,
        live_contacts.contact_id as order_customer_id
    from reviews
    left join orders on reviews.order_reference = orders.order_id
    left join live_contacts on orders.contact_id = live_contacts.contact_id
),

review_links as (
    select
        'review' as record_type,
        reviewed_orders.review_id as record_id,
        coalesce(reviewed_orders.order_customer_id, email_owners.customer_id) as customer_id,
        case
            when reviewed_orders.order_customer_id is not null then 'review_order_reference'
            else 'review_email'
        end as link_rule
    from reviewed_orders
    left join email_owners
        on
            reviewed_orders.order_customer_id is null
            and reviewed_orders.reviewer_email = email_owners.email
),

identified_devices as (
    -- a device identified as more than one contact (shared) links to none
    select
        anonymous_id,
        min(contact_id) as contact_id
    from activities
    where is_identify
    group by anonymous_id
    having count(distinct contact_id) = 1
),

anonymous_links as (
    select
        'anonymous_id' as record_type,
        identified_devices.anonymous_id as record_id,
        live_contacts.contact_id as customer_id,
        'anonymous_identify' as link_rule
    from identified_devices
    inner join live_contacts on identified_devices.contact_id = live_contacts.contact_id
),

email_links as (
    select
        'email_address' as record_type,
        email as record_id,
        customer_id,
        'unique_contact_email' as link_rule
    from email_owners
),

all_links as (
    select * from support_links
    union all
    select * from survey_links
    union all
    select * from review_links
    union all
    select * from anonymous_links
    union all
    select * from email_links
),

final as (
    select
        record_type,
        record_id,
        customer_id,
        link_rule
    from all_links
    where customer_id is not null
)

select * from final
