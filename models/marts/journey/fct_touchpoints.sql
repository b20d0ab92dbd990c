{#- A view over the touchpoints (`int_touchpoints_unioned`) and their
    stages: nothing of its 13 rows per customer is stored twice. Publishing
    copies it into a table. -#}
{{ config(materialized='view') }}

with

touchpoints as (
    select * from {{ ref('int_touchpoints_staged') }}
),

final as (
    select
        touchpoint_id,
        customer_id,
        occurred_at,
        source_system,
        channel,
        touchpoint_type,
        journey_stage,
        stage_order,
        source_record_id,
        customer_link_rule,
        is_up_to_first_purchase
    from touchpoints
)

select * from final
