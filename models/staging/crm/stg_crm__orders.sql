{#- One row per order. Orders whose contact is missing from the extract are kept. -#}
with

orders as not materialized (
    select * from {{ ref('base_crm__orders') }}
),

usable as (
    {{ kept_lines('orders', 'crm/orders') }}
),

final as (
    select
        order_id,
        contact_id,
        ordered_at,
        channel,
        status,
        currency_code,
        amount,
        refunded_at,
        status = 'completed' as is_completed,
        status != 'cancelled' as is_touchpoint
    from usable
)

select * from final
