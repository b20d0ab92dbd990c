{#-
    Every interaction of every system, with its customer. Activities use their
    own contact, else the device's identify link, else a unique email;
    tickets and replies their requester's link; responses their own link.
    Every ticket (as `fct_support_tickets` holds it) and every valid survey
    response (as `fct_survey_responses` defines it) is a touchpoint, with the
    same customer. Records of a deleted contact stay, without a customer, as
    they do in those facts. An order is a `purchase` when it counts as one
    (`stg_crm__orders.is_completed`, the definition `fct_customer_value` reads
    too), a `refunded_order` when it was refunded; previews, tests, spam,
    unfinished or unscored responses and cancelled orders are not touchpoints.
    Every staged review is a `public_review` touchpoint of system `reviews`
    (channel: its platform), posted at `posted_at`, with its identity link (by
    the order it references, else by email); an anonymous or unmatched review
    stays, without a customer.

    A view: `int_touchpoints_staged` reads it once a run and stores every row
    with its stage, so the touchpoints are written once, not twice
    (DECISIONLOG.md, "Touchpoints stored once").
-#}
{{ config(materialized='view') }}

with

activities as (
    select * from {{ ref('stg_crm__activities') }}
),

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

ticket_events as (
    select * from {{ ref('stg_support__ticket_events') }}
),

users as (
    select * from {{ ref('stg_support__users') }}
),

responses as (
    select * from {{ ref('int_survey_responses_classified') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

reviews as (
    select * from {{ ref('stg_reviews__reviews') }}
),

identity_links as (
    select * from {{ ref('int_identity_links') }}
),

activity_touchpoints as (
    select
        'crm_activity:' || activities.activity_id as touchpoint_id,
        'crm' as source_system,
        activities.activity_id as source_record_id,
        activities.occurred_at,
        activities.channel,
        activities.activity_type as touchpoint_type,
        case
            when contacts.is_deleted then null
            when contacts.contact_id is not null then contacts.contact_id
            else coalesce(device_links.customer_id, email_links.customer_id)
        end as customer_id,
        case
            when contacts.is_deleted then null
            when contacts.contact_id is not null then 'crm_contact_id'
            when device_links.customer_id is not null then device_links.link_rule
            when email_links.customer_id is not null then email_links.link_rule
        end as customer_link_rule
    from activities
    left join contacts on activities.contact_id = contacts.contact_id
    left join identity_links as device_links
        on device_links.record_type = 'anonymous_id' and activities.anonymous_id = device_links.record_id
    left join identity_links as email_links
        on email_links.record_type = 'email_address' and activities.email = email_links.record_id
),

order_touchpoints as (
    select
        'crm_order:' || orders.order_id as touchpoint_id,
        'crm' as source_system,
        orders.order_id as source_record_id,
        orders.ordered_at as occurred_at,
        orders.channel,
        case when orders.is_completed then 'purchase' else 'refunded_order' end as touchpoint_type,
        case when not contacts.is_deleted then contacts.contact_id end as customer_id,
        case when not contacts.is_deleted then 'crm_contact_id' end as customer_link_rule
    from orders
    left join contacts on orders.contact_id = contacts.contact_id
    where orders.is_touchpoint
),

requesters as (
    select
        users.user_id,
        user_links.customer_id,
        user_links.link_rule
    from users
    left join identity_links as user_links
        on user_links.record_type = 'support_user' and users.user_id::varchar = user_links.record_id
),

ticket_touchpoints as (
    select
        'support_ticket:' || tickets.ticket_id as touchpoint_id,
        'support' as source_system,
        tickets.ticket_id::varchar as source_record_id,
        tickets.created_at as occurred_at,
        tickets.channel,
        'support_ticket' as touchpoint_type,
        requesters.customer_id,
        requesters.link_rule as customer_link_rule
    from tickets
    left join requesters on tickets.requester_id = requesters.user_id
),

reply_touchpoints as (
    select
        'support_reply:' || ticket_events.event_id as touchpoint_id,
        'support' as source_system,
        ticket_events.event_id::varchar as source_record_id,
        ticket_events.created_at as occurred_at,
        tickets.channel,
        'support_reply' as touchpoint_type,
        requesters.customer_id,
        requesters.link_rule as customer_link_rule
    from ticket_events
    inner join users as authors on ticket_events.author_id = authors.user_id
    inner join tickets on ticket_events.ticket_id = tickets.ticket_id
    left join requesters on tickets.requester_id = requesters.user_id
    where ticket_events.event_type = 'comment' and ticket_events.is_public and authors.is_staff
),

response_touchpoints as (
    select
        'survey_response:' || responses.response_id as touchpoint_id,
        'survey' as source_system,
        responses.response_id as source_record_id,
        responses.ended_at as occurred_at,
        responses.distribution_channel as channel,
        'survey_response' as touchpoint_type,
        response_links.customer_id,
        response_links.link_rule as customer_link_rule
    from responses
    left join identity_links as response_links
        on
            response_links.record_type = 'survey_response'
            and responses.response_id = response_links.record_id
    where responses.exclusion_reason is null
),

review_touchpoints as (
    select
        'review:' || reviews.review_id as touchpoint_id,
        'reviews' as source_system,
        reviews.review_id as source_record_id,
        reviews.posted_at as occurred_at,
        reviews.platform as channel,
        'public_review' as touchpoint_type,
        review_links.customer_id,
        review_links.link_rule as customer_link_rule
    from reviews
    left join identity_links as review_links
        on review_links.record_type = 'review' and reviews.review_id = review_links.record_id
),

all_touchpoints as (
    select * from activity_touchpoints
    union all
    select * from order_touchpoints
    union all
    select * from ticket_touchpoints
    union all
    select * from reply_touchpoints
    union all
    select * from response_touchpoints
    union all
    select * from review_touchpoints
),

final as (
    select
        touchpoint_id,
        source_system,
        source_record_id,
        occurred_at,
        channel,
        touchpoint_type,
        customer_id,
        customer_link_rule
    from all_touchpoints
)

select * from final
