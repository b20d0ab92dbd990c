{#- One row per journey stage: customers who reached it, the share of those
    who reached the previous stage that went on to reach this one afterwards,
    and the median days from a customer's first touchpoint to reaching it. -#}
with

journeys as (
    select * from {{ ref('fct_customer_journeys') }}
),

stages as (
    select * from {{ ref('journey_stages') }}
),

reached as (
    select
        journey_stage,
        count(*) as customers_reached,
        median(days_to_reach) as median_days_to_reach
    from journeys
    group by journey_stage
),

converted as (
    -- reached the stage after (or when) reaching the stage before it
    select
        this_stage.journey_stage,
        count(*) as customers_converted
    from journeys as this_stage
    inner join journeys as previous_stage
        on
            this_stage.customer_id = previous_stage.customer_id
            and this_stage.stage_order - 1 = previous_stage.stage_order
            and this_stage.entered_at >= previous_stage.entered_at
    group by this_stage.journey_stage
),

final as (
    select
        stages.journey_stage,
        stages.stage_order,
        coalesce(reached.customers_reached, 0) as customers_reached,
        coalesce(converted.customers_converted, 0) as customers_from_previous,
        case
            when stages.stage_order > 1
                then {{ safe_ratio(
                    'coalesce(converted.customers_converted, 0)',
                    'lag(coalesce(reached.customers_reached, 0)) over (order by stages.stage_order)'
                ) }}
        end as conversion_from_previous,
        reached.median_days_to_reach
    from stages
    left join reached on stages.journey_stage = reached.journey_stage
    left join converted on stages.journey_stage = converted.journey_stage
)

select * from final
