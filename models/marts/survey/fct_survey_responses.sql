with

responses as (
    select * from {{ ref('int_survey_responses_classified') }}
),

identity_links as (
    select * from {{ ref('int_identity_links') }}
    where record_type = 'survey_response'
),

sentiment as (
    select * from {{ ref('int_survey_comment_sentiment') }}
),

themes as (
    select * from {{ ref('int_survey_comment_themes') }}
),

valid_responses as (
    select * from responses
    where exclusion_reason is null
),

final as (
    select
        valid_responses.response_id,
        identity_links.customer_id,
        valid_responses.survey_id,
        valid_responses.survey_type,
        valid_responses.survey_trigger,
        valid_responses.ended_at as responded_at,
        cast(date_trunc('month', valid_responses.ended_at) as date) as response_month,
        valid_responses.distribution_channel,
        valid_responses.language_code,
        case
            when valid_responses.survey_type in ('relationship_nps', 'transactional_nps')
                then valid_responses.nps_score
        end as nps_score,
        case
            when valid_responses.survey_type in ('relationship_nps', 'transactional_nps')
                then {{ nps_category('valid_responses.nps_score') }}
        end as nps_category,
        case when valid_responses.survey_type = 'csat' then valid_responses.csat_score end as csat_score,
        case when valid_responses.survey_type = 'ces' then valid_responses.ces_score end as ces_score,
        valid_responses.comment_text,
        sentiment.comment_sentiment,
        sentiment.comment_sentiment_label,
        sentiment.comment_sentiment_scored_chars,
        sentiment.is_comment_sentiment_on_prefix,
        case
            when valid_responses.comment_text is not null
                then coalesce(themes.comment_themes, cast([] as varchar[]))
        end as comment_themes,
        valid_responses.related_ticket_id,
        valid_responses.related_order_id,
        identity_links.link_rule as customer_link_rule
    from valid_responses
    left join identity_links on valid_responses.response_id = identity_links.record_id
    left join sentiment on valid_responses.response_id = sentiment.response_id
    left join themes on valid_responses.response_id = themes.response_id
)

select * from final
