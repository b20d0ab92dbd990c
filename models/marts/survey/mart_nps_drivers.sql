{#- For each NPS response from an identified customer: the customer's support
    exposure in the 30 days before answering. -#}
with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

tickets as (
    select * from {{ ref('fct_support_tickets') }}
),

nps_responses as (
    select * from responses
    where nps_score is not null and customer_id is not null
),

exposure as (
    select
        nps_responses.response_id,
        count(tickets.ticket_id) as tickets_30d,
        max(tickets.first_reply_minutes) as slowest_first_reply_minutes_30d,
        -- sum() of a bigint is a hugeint in DuckDB; BI drivers read bigint
        coalesce(sum(tickets.reopens), 0)::bigint as reopens_30d,
        count(*) filter (where tickets.satisfaction_rating = 'bad') as bad_ratings_30d
    from nps_responses
    left join tickets
        on
            nps_responses.customer_id = tickets.customer_id
            and nps_responses.responded_at - interval 30 day <= tickets.created_at
            and nps_responses.responded_at > tickets.created_at
    group by nps_responses.response_id
),

final as (
    select
        nps_responses.response_id,
        nps_responses.customer_id,
        nps_responses.survey_type,
        nps_responses.responded_at,
        nps_responses.response_month,
        nps_responses.nps_score,
        nps_responses.nps_category,
        exposure.tickets_30d,
        exposure.slowest_first_reply_minutes_30d,
        exposure.reopens_30d,
        exposure.bad_ratings_30d,
        exposure.tickets_30d > 0 as had_support_contact_30d,
        {{ is_slow_first_reply('exposure.slowest_first_reply_minutes_30d') }} as had_slow_first_reply_30d,
        exposure.reopens_30d > 0 as had_reopened_ticket_30d,
        exposure.bad_ratings_30d > 0 as had_bad_rating_30d
    from nps_responses
    inner join exposure on nps_responses.response_id = exposure.response_id
)

select * from final
