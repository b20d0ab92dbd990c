{#- One row per review_id of reviews/reviews: the line with the latest `updated_at` wins
    (an edited review); lines no rule orders are staged once when identical and
    quarantined when they differ (kept_lines). `review_text` is what VoC scores: the
    title and the body as one verbatim, the title closed as a sentence
    (DECISIONLOG.md, "Reviews"). -#}
with

reviews as not materialized (
    select * from {{ ref('base_reviews__reviews') }}
),

usable as (
    {{ kept_lines('reviews', 'reviews/reviews') }}
),

final as (
    select
        review_id,
        platform,
        reviewer_email,
        order_reference,
        rating,
        review_title,
        review_body,
        case
            when review_title is null then review_body
            when review_body is null then review_title
            when regexp_matches(review_title, '[.!?]$') then review_title || ' ' || review_body
            else review_title || '. ' || review_body
        end as review_text,
        language_code,
        posted_at,
        updated_at
    from usable
)

select * from final
