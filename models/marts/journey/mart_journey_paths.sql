{#-
    The most common routes to the first purchase. For each customer, the
    journey stages in the order first reached, and the distinct touchpoint
    types in the order first used (the first four), up to the first purchase
    (the whole journey for customers who have not bought). One row per path:
    customers who took it, how many of them went on to buy, and the median
    days from their first touchpoint to the purchase.
-#}
with

touchpoints as (
    select * from {{ ref('int_touchpoints_staged') }}
    where customer_id is not null
),

before_purchase as (
    select * from touchpoints
    where is_up_to_first_purchase and touchpoint_type != 'purchase'
),

customer_outcomes as (
    select
        customer_id,
        min(occurred_at) as journey_started_at,
        min(first_purchase_at) as first_purchase_at
    from touchpoints
    group by customer_id
),

stage_steps as (
    select
        customer_id,
        journey_stage as step,
        min(occurred_at) as first_at
    from before_purchase
    group by customer_id, journey_stage
),

type_steps as (
    select
        customer_id,
        touchpoint_type as step,
        min(occurred_at) as first_at
    from before_purchase
    group by customer_id, touchpoint_type
    qualify row_number() over (partition by customer_id order by min(occurred_at), touchpoint_type) <= 4
),

customer_paths as (
    select
        'journey_stage' as path_level,
        customer_id,
        string_agg(step, ' > ' order by first_at, step) as path,
        count(*) as steps
    from stage_steps
    group by customer_id
    union all
    select
        'touchpoint_type' as path_level,
        customer_id,
        string_agg(step, ' > ' order by first_at, step) as path,
        count(*) as steps
    from type_steps
    group by customer_id
),

final as (
    select
        customer_paths.path_level,
        customer_paths.path,
        customer_paths.steps,
        count(*) as customers,
        count(customer_outcomes.first_purchase_at) as purchasers,
        count(customer_outcomes.first_purchase_at)::double / count(*) as conversion_rate,
        median(
            date_diff('second', customer_outcomes.journey_started_at, customer_outcomes.first_purchase_at)
            / 86400.0
        ) as median_days_to_first_purchase
    from customer_paths
    inner join customer_outcomes on customer_paths.customer_id = customer_outcomes.customer_id
    group by customer_paths.path_level, customer_paths.path, customer_paths.steps
)

select * from final
