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
