with

tickets as (
    select * from {{ ref('int_tickets_measured') }}
),

identity_links as (
    select * from {{ ref('int_identity_links') }}
    where record_type = 'support_user'
),

final as (
    select
        tickets.ticket_id,
        identity_links.customer_id,
        tickets.requester_id,
        tickets.assignee_id,
        tickets.created_at,
        tickets.channel,
        tickets.priority,
        tickets.status,
        tickets.subject,
        tickets.tags,
        tickets.first_reply_at,
        tickets.first_reply_minutes,
        tickets.resolved_at,
        tickets.full_resolution_minutes,
        tickets.reopens,
        tickets.staff_public_comments,
        tickets.is_solved,
        tickets.is_one_touch,
        tickets.satisfaction_rating,
        tickets.satisfaction_comment,
        identity_links.link_rule as customer_link_rule
    from tickets
    left join identity_links on tickets.requester_id::varchar = identity_links.record_id
)

select * from final
