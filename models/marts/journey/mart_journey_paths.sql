{#-
    The routes customers take to their first purchase, compared like with
    like (DECISIONLOG.md, "Paths: the same number of steps for everyone").
    A customer's steps are the journey stages in the order first reached, or
    the distinct touchpoint types in the order first used, before their first
    purchase (their whole journey when they never bought). A row is a path of
    `steps` steps (0 to `max_steps`) and holds every customer whose first
    `steps` steps were that path: buyers and non-buyers alike took exactly
    those steps, so a short path is no longer favoured by buyers' journeys
    being cut at the purchase. The path of 0 steps, `(start)`, holds every
    customer; its purchasers without another step are those whose first
    touchpoint was a purchase. A customer is counted once per path length.
-#}
{%- set max_steps = 4 -%}
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

first_steps as (
    select
        'journey_stage' as path_level,
        customer_id,
        journey_stage as step,
        min(occurred_at) as first_at
    from before_purchase
    group by customer_id, journey_stage
    union all
    select
        'touchpoint_type' as path_level,
        customer_id,
        touchpoint_type as step,
        min(occurred_at) as first_at
    from before_purchase
    group by customer_id, touchpoint_type
),

numbered_steps as (
    select
        *,
        row_number() over (partition by path_level, customer_id order by first_at, step) as step_number,
        count(*) over (partition by path_level, customer_id) as steps_before_purchase
    from first_steps
),

customer_paths as (
    -- every customer's path of each length up to `max_steps`
    select
        path_level,
        customer_id,
        step_number as steps,
        string_agg(step, ' > ' order by step_number) over (
            partition by path_level, customer_id
            order by step_number
            rows between unbounded preceding and current row
        ) as path,
        steps_before_purchase
    from numbered_steps
    where step_number <= {{ max_steps }}
),

path_levels as (
    select unnest(['journey_stage', 'touchpoint_type']) as path_level
),

step_counts as (
    select distinct
        path_level,
        customer_id,
        steps_before_purchase
    from numbered_steps
),

starts as (
    -- the path of no step: every customer
    select
        path_levels.path_level,
        customer_outcomes.customer_id,
        0 as steps,
        '(start)' as path,
        coalesce(step_counts.steps_before_purchase, 0) as steps_before_purchase
    from customer_outcomes
    cross join path_levels
    left join step_counts
        on
            path_levels.path_level = step_counts.path_level
            and customer_outcomes.customer_id = step_counts.customer_id
),

all_paths as (
    select * from starts
    union all
    select * from customer_paths
),

path_outcomes as (
    select
        all_paths.path_level,
        all_paths.path,
        all_paths.steps,
        count(*) as customers,
        count(customer_outcomes.first_purchase_at) as purchasers,
        count(customer_outcomes.first_purchase_at) filter (
            where all_paths.steps_before_purchase = all_paths.steps
        ) as purchasers_without_another_step,
        median(
            date_diff('second', customer_outcomes.journey_started_at, customer_outcomes.first_purchase_at)
            / 86400.0
        ) as median_days_to_first_purchase
    from all_paths
    inner join customer_outcomes on all_paths.customer_id = customer_outcomes.customer_id
    group by all_paths.path_level, all_paths.path, all_paths.steps
),

final as (
    select
        path_level,
        path,
        steps,
        customers,
        purchasers,
        purchasers_without_another_step,
        {{ rate_columns('conversion_rate', 'purchasers', 'customers') }},
        median_days_to_first_purchase
    from path_outcomes
)

select * from final
