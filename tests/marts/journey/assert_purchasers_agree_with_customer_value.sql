-- The journey's purchase stage and `fct_customer_value` name the same
-- customers as having purchased (a completed order, `stg_crm__orders.is_completed`),
-- up to the CLV observation end. Returns the customers found on one side only.
with

journeys as (
    select * from {{ ref('fct_customer_journeys') }}
),

customer_value as (
    select * from {{ ref('fct_customer_value') }}
),

bounds as (
    select
        coalesce(
            {{ clv_observation_end() }},
            (select max(observation_end) from customer_value),
            date '9999-12-31'
        ) as observation_end
),

journey_purchasers as (
    select journeys.customer_id
    from journeys
    cross join bounds
    where
        journeys.journey_stage = 'purchase'
        and cast(journeys.entered_at as date) <= bounds.observation_end
),

value_customers as (
    select customer_id from customer_value
),

unmatched as (
    select
        coalesce(journey_purchasers.customer_id, value_customers.customer_id) as customer_id,
        case
            when value_customers.customer_id is null then 'purchase stage without customer value'
            else 'customer value without a purchase stage'
        end as problem
    from journey_purchasers
    full outer join value_customers on journey_purchasers.customer_id = value_customers.customer_id
    where journey_purchasers.customer_id is null or value_customers.customer_id is null
)

select * from unmatched
