-- Every ticket of `fct_support_tickets`, every valid response of
-- `fct_survey_responses` and every review of `fct_reviews` is exactly one
-- touchpoint, with the same customer, and no other touchpoint is a ticket, a
-- survey response or a review. Returns the keys
-- found on one side only, with another customer, or more than once.
with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

tickets as (
    select * from {{ ref('fct_support_tickets') }}
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

reviews as (
    select * from {{ ref('fct_reviews') }}
),

fact_records as (
    select
        'support_ticket' as touchpoint_type,
        ticket_id::varchar as source_record_id,
        customer_id
    from tickets
    union all
    select
        'survey_response' as touchpoint_type,
        response_id as source_record_id,
        customer_id
    from responses
    union all
    select
        'public_review' as touchpoint_type,
        review_id as source_record_id,
        customer_id
    from reviews
),

touchpoint_records as (
    select
        touchpoint_type,
        source_record_id,
        customer_id
    from touchpoints
    where touchpoint_type in ('support_ticket', 'survey_response', 'public_review')
),

unmatched as (
    select
        coalesce(fact_records.touchpoint_type, touchpoint_records.touchpoint_type) as touchpoint_type,
        coalesce(fact_records.source_record_id, touchpoint_records.source_record_id) as source_record_id,
        case
            when touchpoint_records.source_record_id is null then 'fact without a touchpoint'
            when fact_records.source_record_id is null then 'touchpoint without a fact'
            else 'customer differs'
        end as problem
    from fact_records
    full outer join touchpoint_records
        on
            fact_records.touchpoint_type = touchpoint_records.touchpoint_type
            and fact_records.source_record_id = touchpoint_records.source_record_id
    where
        fact_records.source_record_id is null
        or touchpoint_records.source_record_id is null
        or fact_records.customer_id is distinct from touchpoint_records.customer_id
),

repeated as (
    select
        touchpoint_type,
        source_record_id,
        'touchpoint more than once' as problem
    from touchpoint_records
    group by touchpoint_type, source_record_id
    having count(*) > 1
),

final as (
    select * from unmatched
    union all
    select * from repeated
)

select * from final
