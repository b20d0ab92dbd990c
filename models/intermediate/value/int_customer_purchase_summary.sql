{#-
    One row per customer with a completed order by the observation end: the
    historical value, and the repeat-purchase history the CLV models fit
    (repeat purchases per distinct UTC day, recency and age in weeks, mean
    repeat-day spend), plus what happened after the observation end.
-#}
with

orders as (
    select * from {{ ref('int_orders_converted') }}
),

completed_orders as (
    select * from orders
    where is_completed and customer_id is not null
),

bounds as (
    select
        coalesce({{ clv_observation_end() }}, max(order_date)) as observation_end,
        max(order_date) as data_end
    from completed_orders
),

calibration_orders as (
    select completed_orders.*
    from completed_orders
    cross join bounds
    where completed_orders.order_date <= bounds.observation_end
),

purchase_days as (
    select
        customer_id,
        order_date,
        sum(amount_usd) as day_amount_usd,
        min(order_date) over (partition by customer_id) as first_order_date
    from calibration_orders
    group by customer_id, order_date
),

repeat_history as (
    select
        customer_id,
        count(*) - 1 as frequency,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        avg(day_amount_usd) filter (where order_date > first_order_date) as monetary_repeat_usd
    from purchase_days
    group by customer_id
),

historical_value as (
    select
        customer_id,
        count(*) as orders,
        sum(amount_usd) as historical_revenue_usd,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at
    from calibration_orders
    group by customer_id
),

holdout_purchases as (
    select
        completed_orders.customer_id,
        count(distinct completed_orders.order_date) as holdout_repeat_purchases
    from completed_orders
    cross join bounds
    where completed_orders.order_date > bounds.observation_end
    group by completed_orders.customer_id
),

final as (
    select
        historical_value.customer_id,
        historical_value.orders,
        cast(historical_value.historical_revenue_usd as decimal(18, 2)) as historical_revenue_usd,
        historical_value.first_order_at,
        historical_value.last_order_at,
        repeat_history.frequency,
        date_diff('day', repeat_history.first_order_date, repeat_history.last_order_date)
        / 7.0 as recency_weeks,
        date_diff('day', repeat_history.first_order_date, bounds.observation_end) / 7.0 as age_weeks,
        cast(repeat_history.monetary_repeat_usd as double) as monetary_repeat_usd,
        bounds.observation_end,
        greatest(date_diff('day', bounds.observation_end, bounds.data_end), 0) / 7.0 as holdout_weeks,
        coalesce(holdout_purchases.holdout_repeat_purchases, 0) as holdout_repeat_purchases
    from historical_value
    inner join repeat_history on historical_value.customer_id = repeat_history.customer_id
    left join holdout_purchases on historical_value.customer_id = holdout_purchases.customer_id
    cross join bounds
)

select * from final
