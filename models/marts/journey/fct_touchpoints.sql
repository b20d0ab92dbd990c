{#- A view over the staged touchpoints (`int_touchpoints_staged`, a table)
    with their channel group, a join to a small seed: its rows are not
    stored a third time. Publishing copies it into a table. -#}
{{ config(materialized='view') }}

with

touchpoints as (
    select * from {{ ref('int_touchpoints_staged') }}
),

channel_groups as (
    select * from {{ ref('channel_groups') }}
),

final as (
    select
        touchpoints.touchpoint_id,
        touchpoints.customer_id,
        touchpoints.occurred_at,
        touchpoints.source_system,
        touchpoints.channel,
        touchpoints.touchpoint_type,
        touchpoints.journey_stage,
        touchpoints.stage_order,
        touchpoints.source_record_id,
        touchpoints.customer_link_rule,
        touchpoints.is_up_to_first_purchase,
        -- a channel the seed lacks is kept and marked, never dropped or guessed
        coalesce(channel_groups.channel_group, 'unmapped') as channel_group
    from touchpoints
    left join channel_groups
        on
            touchpoints.source_system = channel_groups.source_system
            and touchpoints.channel = channel_groups.channel
)

select * from final
