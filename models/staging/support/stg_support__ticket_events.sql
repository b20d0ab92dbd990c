{#- One row per ticket audit-log event. -#}
with

ticket_events as not materialized (
    select * from {{ ref('base_support__ticket_events') }}
),

usable as (
    {{ kept_lines('ticket_events', 'support/ticket_events') }}
),

final as (
    select
        event_id,
        ticket_id,
        author_id,
        event_type,
        case when event_type = 'comment' then is_public end as is_public,
        case when event_type = 'status_change' then new_status end as new_status,
        created_at
    from usable
)

select * from final
