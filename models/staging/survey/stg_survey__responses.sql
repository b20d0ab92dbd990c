{#- One row per response: the latest export line (by recorded_date) without defects;
    none when the latest lines differ (they are quarantined).
    Preview, test and spam rows are kept and flagged; marts decide what counts. -#}
with

responses as not materialized (
    select * from {{ ref('base_survey__responses') }}
),

latest_line as (
    {{ kept_lines('responses', 'survey/responses') }}
),

final as (
    select
        response_id,
        survey_id,
        response_status,
        response_status in ('IP Address', 'Imported') as is_real_response,
        recipient_email,
        contact_ref,
        distribution_channel,
        started_at,
        ended_at,
        recorded_at,
        is_finished,
        progress_pct,
        nps_score,
        csat_score,
        ces_score,
        comment_text,
        related_ticket_id,
        related_order_id,
        language_code
    from latest_line
)

select * from final
