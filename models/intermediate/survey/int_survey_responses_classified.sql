{#- Every staged survey response with its survey, and why it does not count
    when it does not (`exclusion_reason`, null for a valid response). -#}
with

responses as (
    select * from {{ ref('stg_survey__responses') }}
),

surveys as (
    select * from {{ ref('stg_survey__surveys') }}
),

classified as (
    select
        responses.response_id,
        responses.survey_id,
        responses.response_status,
        responses.is_real_response,
        responses.recipient_email,
        responses.contact_ref,
        responses.distribution_channel,
        responses.started_at,
        responses.ended_at,
        responses.recorded_at,
        responses.is_finished,
        responses.progress_pct,
        responses.nps_score,
        responses.csat_score,
        responses.ces_score,
        responses.comment_text,
        responses.related_ticket_id,
        responses.related_order_id,
        responses.language_code,
        surveys.survey_type,
        surveys.survey_trigger,
        case
            when not responses.is_real_response then 'not_a_real_response'
            when surveys.survey_id is null then 'unknown_survey'
            when not responses.is_finished then 'unfinished'
            when
                surveys.survey_type in ('relationship_nps', 'transactional_nps')
                and responses.nps_score is null
                then 'missing_score'
            when surveys.survey_type = 'csat' and responses.csat_score is null then 'missing_score'
            when surveys.survey_type = 'ces' and responses.ces_score is null then 'missing_score'
        end as exclusion_reason
    from responses
    left join surveys on responses.survey_id = surveys.survey_id
)

select * from classified
