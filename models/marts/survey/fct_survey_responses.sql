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

customer_history as (
    select * from {{ ref('int_customer_history') }}
),

valid_responses as (
    select * from responses
    where exclusion_reason is null
),

linked_responses as (
    select
        valid_responses.*,
        identity_links.customer_id,
        identity_links.link_rule
    from valid_responses
    left join identity_links on valid_responses.response_id = identity_links.record_id
),

first_versions as (
    select * from customer_history
    where version_number = 1
),

-- the customer's version valid when they answered (the latest one from before
-- the answer); an answer before the first known version takes that version
-- (DECISIONLOG.md, "History of customers")
segments_at_response as (
    select
        linked_responses.response_id,
        version_then.customer_id is null as is_segment_before_first_version,
        case
            when version_then.customer_id is not null then version_then.segment
            else first_versions.segment
        end as segment_at_response
    from linked_responses
    asof left join customer_history as version_then
        on
            linked_responses.customer_id = version_then.customer_id
            and linked_responses.ended_at >= version_then.valid_from
    left join first_versions on linked_responses.customer_id = first_versions.customer_id
    where linked_responses.customer_id is not null
),

final as (
    select
        linked_responses.response_id,
        linked_responses.customer_id,
        linked_responses.survey_id,
        linked_responses.survey_type,
        linked_responses.survey_trigger,
        linked_responses.ended_at as responded_at,
        cast(date_trunc('month', linked_responses.ended_at) as date) as response_month,
        linked_responses.distribution_channel,
        linked_responses.language_code,
        case
            when linked_responses.survey_type in ('relationship_nps', 'transactional_nps')
                then linked_responses.nps_score
        end as nps_score,
        case
            when linked_responses.survey_type in ('relationship_nps', 'transactional_nps')
                then {{ nps_category('linked_responses.nps_score') }}
        end as nps_category,
        case when linked_responses.survey_type = 'csat' then linked_responses.csat_score end as csat_score,
        case when linked_responses.survey_type = 'ces' then linked_responses.ces_score end as ces_score,
        linked_responses.comment_text,
        sentiment.comment_sentiment,
        sentiment.comment_sentiment_label,
        sentiment.comment_sentiment_scored_chars,
        sentiment.is_comment_sentiment_on_prefix,
        case
            when linked_responses.comment_text is not null
                then coalesce(themes.comment_themes, cast([] as varchar[]))
        end as comment_themes,
        linked_responses.related_ticket_id,
        linked_responses.related_order_id,
        linked_responses.link_rule as customer_link_rule,
        coalesce(segments_at_response.segment_at_response, 'unknown') as segment_at_response,
        segments_at_response.is_segment_before_first_version
    from linked_responses
    left join segments_at_response on linked_responses.response_id = segments_at_response.response_id
    left join sentiment on linked_responses.response_id = sentiment.response_id
    left join themes on linked_responses.response_id = themes.response_id
)

select * from final
