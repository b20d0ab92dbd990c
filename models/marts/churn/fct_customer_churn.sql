{#- One row per customer with a completed order: churn status as of the status
    date (the CLV observation end) from days since the last order and P(alive),
    against the thresholds in dbt vars, and the customer's experience in the 90
    days before the status date (`churn_experience_days()`). -#}
with

customer_value as (
    select * from {{ ref('fct_customer_value') }}
),

tickets as (
    select * from {{ ref('fct_support_tickets') }}
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

customers as (
    select
        customer_id,
        observation_end as status_date,
        last_order_at,
        date_diff('day', cast(last_order_at as date), observation_end) as days_since_last_order,
        p_alive,
        predicted_clv_12m_usd,
        prediction_status
    from customer_value
),

windows as (
    -- the 90 days: the status date and the 89 before it, from midnight UTC
    select
        customer_id,
        status_date,
        cast(status_date - {{ churn_experience_days() }} + 1 as timestamp) as window_start_at,
        cast(status_date + 1 as timestamp) as window_end_at
    from customers
),

ticket_experience as (
    select
        windows.customer_id,
        count(*) as tickets,
        count(*) filter (where tickets.satisfaction_rating = 'bad') as bad_ratings,
        count(*) filter (where {{ is_slow_first_reply('tickets.first_reply_minutes') }})
            as slow_first_replies,
        count(*) filter (where tickets.reopens > 0) as reopened_tickets
    from windows
    inner join tickets
        on
            windows.customer_id = tickets.customer_id
            and windows.window_start_at <= tickets.created_at
            and windows.window_end_at > tickets.created_at
    group by windows.customer_id
),

window_responses as (
    select
        windows.customer_id,
        responses.response_id,
        responses.responded_at,
        responses.nps_category,
        responses.comment_sentiment_label,
        responses.comment_themes
    from windows
    inner join responses
        on
            windows.customer_id = responses.customer_id
            and windows.window_start_at <= responses.responded_at
            and windows.window_end_at > responses.responded_at
),

survey_experience as (
    select
        customer_id,
        -- the latest NPS answer; a tie on the second goes to the larger response_id
        arg_max(nps_category, (responded_at, response_id))
        filter (where nps_category is not null) as last_nps_category,
        count(*) filter (where comment_sentiment_label = 'negative') as negative_verbatims
    from window_responses
    group by customer_id
),

negative_themes as (
    select
        customer_id,
        list_sort(list_distinct(flatten(list(comment_themes)))) as negative_verbatim_themes
    from window_responses
    where comment_sentiment_label = 'negative'
    group by customer_id
),

classified as (
    select
        customers.*,
        case
            when customers.days_since_last_order >= {{ var('churn_lapsed_days') }}
                then 'lapsed_by_recency'
            when customers.p_alive is null
                then 'recency_only_p_alive_unavailable'
            when customers.p_alive < {{ var('churn_lapsed_p_alive') }}
                then 'lapsed_by_p_alive'
            when customers.days_since_last_order >= {{ var('churn_at_risk_days') }}
                then 'at_risk_by_recency'
            when customers.p_alive < {{ var('churn_at_risk_p_alive') }}
                then 'at_risk_by_p_alive'
            else 'within_thresholds'
        end as status_reason
    from customers
),

final as (
    select
        classified.customer_id,
        classified.status_date,
        case
            when classified.status_reason in ('lapsed_by_recency', 'lapsed_by_p_alive') then 'lapsed'
            when classified.status_reason in ('at_risk_by_recency', 'at_risk_by_p_alive') then 'at_risk'
            when classified.status_reason = 'within_thresholds' then 'active'
            -- P(alive) unavailable: recency alone, which can only say at_risk or active
            when classified.days_since_last_order >= {{ var('churn_at_risk_days') }} then 'at_risk'
            else 'active'
        end as churn_status,
        classified.status_reason,
        classified.last_order_at,
        classified.days_since_last_order,
        classified.p_alive,
        classified.prediction_status,
        classified.predicted_clv_12m_usd,
        coalesce(ticket_experience.tickets, 0) as tickets_90d,
        coalesce(ticket_experience.bad_ratings, 0) as bad_ratings_90d,
        coalesce(ticket_experience.slow_first_replies, 0) as slow_first_replies_90d,
        coalesce(ticket_experience.reopened_tickets, 0) as reopened_tickets_90d,
        survey_experience.last_nps_category as last_nps_category_90d,
        coalesce(survey_experience.negative_verbatims, 0) as negative_verbatims_90d,
        coalesce(negative_themes.negative_verbatim_themes, cast([] as varchar[]))
            as negative_verbatim_themes_90d
    from classified
    left join ticket_experience on classified.customer_id = ticket_experience.customer_id
    left join survey_experience on classified.customer_id = survey_experience.customer_id
    left join negative_themes on classified.customer_id = negative_themes.customer_id
)

select * from final
