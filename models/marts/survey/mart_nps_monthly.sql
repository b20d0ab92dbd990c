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
    select
        responses.response_month,
        coalesce(customers.segment, 'unknown') as segment,
        responses.nps_category
    from responses
    left join customers on responses.customer_id = customers.customer_id
    where responses.nps_score is not null
),

counted as (
    select
        response_month as month,
        coalesce(segment, 'all') as segment,
        count(*) as responses,
        count(*) filter (where nps_category = 'promoter') as promoters,
        count(*) filter (where nps_category = 'passive') as passives,
        count(*) filter (where nps_category = 'detractor') as detractors
    from nps_responses
    group by grouping sets ((response_month, segment), (response_month))
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
