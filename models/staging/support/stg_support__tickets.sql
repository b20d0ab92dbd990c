{#- One row per ticket in its current state. -#}
with

tickets as (
    select * from {{ ref('base_support__tickets') }}
),

usable as (
    select * from tickets
    where len(_defects) = 0
    qualify {{ line_rank('ticket_id', 'updated_at') }} = 1
),

final as (
    select
        ticket_id,
        requester_id,
        assignee_id,
        created_at,
        updated_at,
        status,
        priority,
        channel,
        subject,
        tags,
        satisfaction_rating,
        satisfaction_comment
    from usable
)

select * from final
