{#- Survey CSAT (share of 4-5) and CES (mean, share of 5-7) by UTC month. -#}
with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

monthly as (
    select
        response_month as month,
        count(csat_score) as csat_responses,
        count(*) filter (where csat_score >= 4) as csat_satisfied,
        count(ces_score) as ces_responses,
        avg(ces_score) as ces_mean,
        count(*) filter (where ces_score >= 5) as ces_easy
    from responses
    where csat_score is not null or ces_score is not null
    group by response_month
),

final as (
    select
        month,
        csat_responses,
        csat_satisfied,
        {{ safe_ratio('csat_satisfied', 'csat_responses') }} as csat,
        ces_responses,
        ces_mean,
        ces_easy,
        {{ safe_ratio('ces_easy', 'ces_responses') }} as ces_easy_share
    from monthly
)

select * from final
