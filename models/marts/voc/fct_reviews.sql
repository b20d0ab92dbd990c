{#- One row per public review (reviews/reviews.csv), its latest version: the
    customer it links to (by the order it references, else by email; null when
    anonymous or unmatched), its stars, the month it was posted in, and its text
    scored as survey verbatims are (sentiment and themes of the title and body). -#}
with

reviews as (
    select * from {{ ref('stg_reviews__reviews') }}
),

identity_links as (
    select * from {{ ref('int_identity_links') }}
),

sentiment as (
    select * from {{ ref('int_review_sentiment') }}
),

themes as (
    select * from {{ ref('int_review_themes') }}
),

review_links as (
    select
        record_id as review_id,
        customer_id,
        link_rule
    from identity_links
    where record_type = 'review'
),

final as (
    select
        reviews.review_id,
        reviews.platform,
        review_links.customer_id,
        review_links.link_rule as customer_link_rule,
        reviews.rating,
        reviews.rating >= 4 as is_four_or_five_stars,
        reviews.posted_at,
        cast(date_trunc('month', reviews.posted_at) as date) as posted_month,
        reviews.updated_at,
        reviews.updated_at > reviews.posted_at as is_edited,
        reviews.language_code,
        reviews.review_text,
        sentiment.comment_sentiment as review_sentiment,
        sentiment.comment_sentiment_label as review_sentiment_label,
        sentiment.comment_sentiment_scored_chars as review_sentiment_scored_chars,
        sentiment.is_comment_sentiment_on_prefix as is_review_sentiment_on_prefix,
        case
            when reviews.review_text is not null
                then coalesce(themes.review_themes, cast([] as varchar[]))
        end as review_themes
    from reviews
    left join review_links on reviews.review_id = review_links.review_id
    left join sentiment on reviews.review_id = sentiment.review_id
    left join themes on reviews.review_id = themes.review_id
)

select * from final
