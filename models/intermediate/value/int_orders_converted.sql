{#- Every order in US dollars, with the customer it belongs to (a live CRM contact). -#}
with

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

currency_rates as (
    select * from {{ ref('currency_rates') }}
),

converted as (
    select
        orders.order_id,
        orders.contact_id,
        case when not contacts.is_deleted then contacts.contact_id end as customer_id,
        orders.ordered_at,
        cast(orders.ordered_at as date) as order_date,
        orders.channel,
        orders.status,
        orders.is_completed,
        orders.currency_code,
        orders.amount,
        cast(round(orders.amount * currency_rates.usd_per_unit, 2) as decimal(18, 2)) as amount_usd
    from orders
    left join contacts on orders.contact_id = contacts.contact_id
    left join currency_rates on orders.currency_code = currency_rates.currency
)

select * from converted
