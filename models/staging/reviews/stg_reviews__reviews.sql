{#- One row per review_id of reviews/reviews: the line with the latest `updated_at` wins; lines no
    rule orders are staged once when identical and quarantined when they differ (kept_lines). -#}
with

reviews as (
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
        title,
        body,
        language,  -- noqa: RF04
        posted_at,
        updated_at
    from usable
)

select * from final
