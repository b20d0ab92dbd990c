{#- Each touchpoint with its journey stage: the stage rules seed, by type and
    by whether it happened up to the customer's first purchase or after.
    A table, rebuilt whole on every run like everything after the typed
    extract lines, so a new or late order that moves a customer's first
    purchase moves their stages in the same build. `fct_touchpoints`, dbt's
    tests, the gate and the publish read it instead of deriving the stages
    again each (DECISIONLOG.md, "Touchpoint stages: a table, rebuilt every run"). -#}
{{ config(materialized='table') }}

with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

stage_rules as (
    select * from {{ ref('journey_stage_rules') }}
),

stages as (
    select * from {{ ref('journey_stages') }}
),

first_purchases as (
    select
        customer_id,
        min(occurred_at) as first_purchase_at
    from touchpoints
    where touchpoint_type = 'purchase' and customer_id is not null
    group by customer_id
),

staged as (
    select
        touchpoints.*,
        first_purchases.first_purchase_at,
        first_purchases.first_purchase_at is null
        or touchpoints.occurred_at <= first_purchases.first_purchase_at as is_up_to_first_purchase,
        case
            when
                first_purchases.first_purchase_at is null
                or touchpoints.occurred_at <= first_purchases.first_purchase_at
                then stage_rules.stage_before_first_purchase
            else stage_rules.stage_after_first_purchase
        end as journey_stage
    from touchpoints
    left join first_purchases on touchpoints.customer_id = first_purchases.customer_id
    left join stage_rules on touchpoints.touchpoint_type = stage_rules.touchpoint_type
),

final as (
    select
        staged.touchpoint_id,
        staged.source_system,
        staged.source_record_id,
        staged.occurred_at,
        staged.channel,
        staged.touchpoint_type,
        staged.customer_id,
        staged.customer_link_rule,
        staged.first_purchase_at,
        staged.is_up_to_first_purchase,
        staged.journey_stage,
        stages.stage_order
    from staged
    left join stages on staged.journey_stage = stages.journey_stage
)

select * from final
