{#- NPS by UTC month of the response's end date and customer segment, plus
    segment `all`; responses not linked to a customer count in `unknown`. -#}
with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

customers as (
    select * from {{ ref('int_customers') }}
),

nps_responses as (
    -- each response counts under its segment and under `all`
    select
        responses.response_month as month,
        unnest([coalesce(customers.segment, 'unknown'), 'all']) as segment,
        responses.nps_category
    from responses
    left join customers on responses.customer_id = customers.customer_id
    where responses.nps_score is not null
),

counted as (
    select
        month,
        segment,
        count(*) as responses,
        count(*) filter (where nps_category = 'promoter') as promoters,
        count(*) filter (where nps_category = 'passive') as passives,
        count(*) filter (where nps_category = 'detractor') as detractors
    from nps_responses
    group by month, segment
),

final as (
    select
        month,
        segment,
        responses,
        promoters,
        passives,
        detractors,
        {{ nps_columns('promoters', 'detractors', 'responses') }}
    from counted
)

select * from final
