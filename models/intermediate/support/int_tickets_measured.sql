{#- Each ticket with the support-time measures computed from its audit log
    (contract: first reply, full resolution, reopens, one-touch).
    A view: `fct_support_tickets` alone reads it. -#}
{{ config(materialized='view') }}
with

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

ticket_events as (
    select * from {{ ref('stg_support__ticket_events') }}
),

users as (
    select * from {{ ref('stg_support__users') }}
),

staff_public_comments as (
    select
        ticket_events.ticket_id,
        ticket_events.created_at
    from ticket_events
    inner join users on ticket_events.author_id = users.user_id
    where ticket_events.event_type = 'comment' and ticket_events.is_public and users.is_staff
),

replies as (
    select
        ticket_id,
        min(created_at) as first_reply_at,
        count(*) as staff_public_comments
    from staff_public_comments
    group by ticket_id
),

status_history as (
    select
        ticket_id,
        count(*) filter (where new_status = 'solved') as times_solved,
        max(created_at) filter (where new_status = 'solved') as last_solved_at,
        max(created_at) filter (where new_status = 'closed') as last_closed_at
    from ticket_events
    where event_type = 'status_change'
    group by ticket_id
),

measured as (
    select
        tickets.ticket_id,
        tickets.requester_id,
        tickets.assignee_id,
        tickets.created_at,
        tickets.updated_at,
        tickets.status,
        tickets.priority,
        tickets.channel,
        tickets.subject,
        tickets.tags,
        tickets.satisfaction_rating,
        tickets.satisfaction_comment,
        replies.first_reply_at,
        date_diff('second', tickets.created_at, replies.first_reply_at) / 60.0 as first_reply_minutes,
        tickets.status in ('solved', 'closed') as is_solved,
        case
            when tickets.status in ('solved', 'closed')
                then coalesce(status_history.last_solved_at, status_history.last_closed_at)
        end as resolved_at,
        coalesce(replies.staff_public_comments, 0) as staff_public_comments,
        greatest(coalesce(status_history.times_solved, 0) - 1, 0) as reopens
    from tickets
    left join replies on tickets.ticket_id = replies.ticket_id
    left join status_history on tickets.ticket_id = status_history.ticket_id
),

final as (
    select
        *,
        date_diff('second', created_at, resolved_at) / 60.0 as full_resolution_minutes,
        is_solved and staff_public_comments = 1 as is_one_touch
    from measured
)

select * from final
