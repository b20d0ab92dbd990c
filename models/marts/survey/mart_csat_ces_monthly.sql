{#- Survey CSAT (share of 4-5) and CES (mean, share of 5-7) by UTC month, every
    month of the survey data's span (zero responses and null shares when a
    month has none), each share with its n and Wilson 95% interval. -#}
with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

months as (
    select * from {{ observed_months('responses', 'responded_at') }}
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

filled as (
    select
        months.month,
        months.is_partial_period,
        coalesce(monthly.csat_responses, 0) as csat_responses,
        coalesce(monthly.csat_satisfied, 0) as csat_satisfied,
        coalesce(monthly.ces_responses, 0) as ces_responses,
        monthly.ces_mean,
        coalesce(monthly.ces_easy, 0) as ces_easy
    from months
    left join monthly on months.month = monthly.month
),

final as (
    select
        month,
        is_partial_period,
        csat_responses,
        csat_satisfied,
        {{ rate_columns('survey_csat_share', 'csat_satisfied', 'csat_responses') }},
        ces_responses,
        ces_mean,
        ces_easy,
        {{ rate_columns('ces_easy_share', 'ces_easy', 'ces_responses') }}
    from filled
)

select * from final
