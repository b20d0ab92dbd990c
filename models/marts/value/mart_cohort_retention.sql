{#- Customers by the UTC month of their first completed order, and how many of
    them ordered again in each later month, with that month's revenue. The
    retention rate carries its n (the cohort) and Wilson 95% interval. -#}
with

orders as (
    select * from {{ ref('int_orders_converted') }}
),

customer_months as (
    select
        customer_id,
        cast(date_trunc('month', ordered_at) as date) as order_month,
        sum(amount_usd) as revenue_usd
    from orders
    where is_completed and customer_id is not null
    group by customer_id, cast(date_trunc('month', ordered_at) as date)
),

cohorts as (
    select
        customer_id,
        min(order_month) as cohort_month
    from customer_months
    group by customer_id
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_customers
    from cohorts
    group by cohort_month
),

last_month as (
    select max(order_month) as order_month
    from customer_months
),

cohort_grid as (
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_customers,
        unnest(
            range(0, date_diff('month', cohort_sizes.cohort_month, last_month.order_month) + 1)
        ) as months_since_first_order
    from cohort_sizes
    cross join last_month
),

cohort_activity as (
    select
        cohorts.cohort_month,
        date_diff('month', cohorts.cohort_month, customer_months.order_month) as months_since_first_order,
        count(distinct customer_months.customer_id) as active_customers,
        sum(customer_months.revenue_usd) as revenue_usd
    from customer_months
    inner join cohorts on customer_months.customer_id = cohorts.customer_id
    group by all
),

final as (
    select
        cohort_grid.cohort_month,
        cohort_grid.months_since_first_order,
        cohort_grid.cohort_customers,
        coalesce(cohort_activity.active_customers, 0) as active_customers,
        {{ rate_columns(
            'retention_rate',
            'coalesce(cohort_activity.active_customers, 0)',
            'cohort_grid.cohort_customers'
        ) }},
        cast(coalesce(cohort_activity.revenue_usd, 0) as decimal(18, 2)) as revenue_usd
    from cohort_grid
    left join cohort_activity
        on
            cohort_grid.cohort_month = cohort_activity.cohort_month
            and cohort_grid.months_since_first_order = cohort_activity.months_since_first_order
)

select * from final
