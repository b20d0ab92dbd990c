{#-
    Do customers who use more channel groups before buying convert more?
    (DECISIONLOG.md, "Channel mix: the first 90 days".) Every customer is
    read over the same window: the `channel_mix_window_days` days from their
    first touchpoint. Their channel groups are those of their touchpoints in
    the window and strictly before their first purchase (the purchase itself
    is not counted); they converted when the first purchase falls in the
    window; their revenue is that of their purchases in the window, in USD
    (0 without one). Customers whose window ends after the latest touchpoint
    of the data are not observed long enough and are left out.
-#}
with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

orders as (
    select * from {{ ref('int_orders_converted') }}
),

data_end as (
    select max(occurred_at) as observed_until from touchpoints
),

customer_windows as (
    select
        customer_id,
        min(occurred_at) as journey_started_at,
        {{ conversion_window_ends_at('min(occurred_at)') }} as window_ends_at,
        min(occurred_at) filter (where touchpoint_type = 'purchase') as first_purchase_at
    from touchpoints
    where customer_id is not null
    group by customer_id
),

observed_customers as (
    select customer_windows.*
    from customer_windows
    cross join data_end
    where customer_windows.window_ends_at <= data_end.observed_until
),

groups_before_purchase as (
    select
        observed_customers.customer_id,
        count(distinct touchpoints.channel_group) as channel_groups_used
    from observed_customers
    inner join touchpoints on observed_customers.customer_id = touchpoints.customer_id
    where
        touchpoints.occurred_at < observed_customers.window_ends_at
        and (
            observed_customers.first_purchase_at is null
            or touchpoints.occurred_at < observed_customers.first_purchase_at
        )
    group by observed_customers.customer_id
),

window_revenue as (
    select
        observed_customers.customer_id,
        sum(orders.amount_usd)::decimal(18, 2) as revenue_usd
    from observed_customers
    inner join touchpoints on observed_customers.customer_id = touchpoints.customer_id
    inner join orders on touchpoints.source_record_id = orders.order_id
    where
        touchpoints.touchpoint_type = 'purchase'
        and touchpoints.occurred_at < observed_customers.window_ends_at
    group by observed_customers.customer_id
),

customer_outcomes as (
    select
        observed_customers.customer_id,
        coalesce(groups_before_purchase.channel_groups_used, 0) as channel_groups_used,
        coalesce(observed_customers.first_purchase_at < observed_customers.window_ends_at, false)
            as has_converted,
        coalesce(window_revenue.revenue_usd, 0)::decimal(18, 2) as revenue_usd
    from observed_customers
    left join groups_before_purchase on observed_customers.customer_id = groups_before_purchase.customer_id
    left join window_revenue on observed_customers.customer_id = window_revenue.customer_id
),

final as (
    select
        channel_groups_used::bigint as channel_groups_used,
        count(*)::bigint as customers,
        count(*) filter (where has_converted)::bigint as converted_customers,
        {{ rate_columns('conversion_rate', 'count(*) filter (where has_converted)', 'count(*)') }},
        {{ mean_columns('revenue_per_customer_usd', 'revenue_usd') }}
    from customer_outcomes
    group by channel_groups_used
)

select * from final
