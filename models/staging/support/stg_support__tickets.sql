{#- One row per ticket in its current state. -#}
with

tickets as not materialized (
    select * from {{ ref('base_support__tickets') }}
),

usable as (
    {{ kept_lines('tickets', 'support/tickets') }}
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
