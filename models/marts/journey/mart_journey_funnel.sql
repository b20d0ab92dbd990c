{#- One row per journey stage, two readings side by side (DECISIONLOG.md,
    "The funnel: ever reached and in order"):
    - customers_ever_reached: customers who reached the stage at any time, in
      any order (a customer's first touch may be a web visit or a purchase);
    - customers_reached_in_order: the strict, ordered funnel: customers who
      reached every earlier stage, each no later than the next, and this one
      last. It never rises from one stage to the next.
    The conversion from the previous stage is the strict funnel's, with its n
    (the customers in order at the previous stage), Wilson 95% interval and
    small-sample flag; the first stage has none (n null, flagged small, as
    every rate without trials is). -#}
with

journeys as (
    select * from {{ ref('fct_customer_journeys') }}
),

stages as (
    select * from {{ ref('journey_stages') }}
),

stage_entries as (
    select
        customer_id,
        journey_stage,
        stage_order,
        entered_at,
        days_to_reach,
        -- every stage before this one reached (stage orders are 1..5 and unique per customer)
        stage_order = row_number() over customer_stages as has_every_earlier_stage,
        entered_at >= coalesce(lag(entered_at) over customer_stages, entered_at) as is_after_previous_stage
    from journeys
    window customer_stages as (partition by customer_id order by stage_order)
),

in_order_entries as (
    select
        *,
        has_every_earlier_stage
        and bool_and(is_after_previous_stage) over (
            partition by customer_id order by stage_order rows between unbounded preceding and current row
        ) as is_reached_in_order
    from stage_entries
),

reached as (
    select
        journey_stage,
        count(*) as customers_ever_reached,
        count(*) filter (where is_reached_in_order) as customers_reached_in_order,
        median(days_to_reach) as median_days_to_reach
    from in_order_entries
    group by journey_stage
),

stage_counts as (
    select
        stages.journey_stage,
        stages.stage_order,
        coalesce(reached.customers_ever_reached, 0) as customers_ever_reached,
        coalesce(reached.customers_reached_in_order, 0) as customers_reached_in_order,
        lag(coalesce(reached.customers_reached_in_order, 0)) over (
            order by stages.stage_order
        ) as customers_in_order_at_previous_stage,
        reached.median_days_to_reach
    from stages
    left join reached on stages.journey_stage = reached.journey_stage
),

conversions as (
    select
        *,
        {{ rate_columns(
            'conversion_from_previous',
            'customers_reached_in_order',
            'customers_in_order_at_previous_stage'
        ) }}
    from stage_counts
),

final as (
    select
        journey_stage,
        stage_order,
        customers_ever_reached,
        customers_reached_in_order,
        conversion_from_previous,
        conversion_from_previous_n,
        conversion_from_previous_ci_low,
        conversion_from_previous_ci_high,
        conversion_from_previous_is_small_sample,
        median_days_to_reach
    from conversions
)

select * from final
