{#- The themes of each review's text (title and body) that matched at least one,
    from the theme taxonomy seed, matched as survey verbatims are
    (macros/survey/comment_themes.sql). -#}
-- depends_on: {{ ref('comment_themes') }}
{%- set taxonomy = comment_theme_taxonomy() %}

with

reviews as (
    select * from {{ ref('stg_reviews__reviews') }}
),

matched as (
    select
        review_id,
        {{ matched_comment_themes('review_text', 'language_code', taxonomy) }} as review_themes
    from reviews
    where review_text is not null
),

final as (
    select
        review_id,
        review_themes
    from matched
    where len(review_themes) > 0
)

select * from final
