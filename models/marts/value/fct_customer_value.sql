with

purchase_summary as (
    select * from {{ ref('int_customer_purchase_summary') }}
),

predictions as (
    select * from {{ ref('int_customer_value_predicted') }}
),

final as (
    select
        purchase_summary.customer_id,
        purchase_summary.orders,
        purchase_summary.historical_revenue_usd,
        purchase_summary.first_order_at,
        purchase_summary.last_order_at,
        predictions.p_alive,
        predictions.expected_purchases_horizon as expected_purchases_12m,
        cast(predictions.expected_order_value_usd as decimal(18, 2)) as expected_order_value_usd,
        cast(predictions.predicted_clv_usd as decimal(18, 2)) as predicted_clv_12m_usd,
        purchase_summary.frequency as repeat_purchase_days,
        purchase_summary.recency_weeks,
        purchase_summary.age_weeks,
        purchase_summary.observation_end,
        predictions.prediction_status
    from purchase_summary
    inner join predictions on purchase_summary.customer_id = predictions.customer_id
)

select * from final
