{#- One row per sentence of a valid verbatim and theme it mentions (theme
    taxonomy seed, matched as for whole verbatims: macros/survey/comment_themes.sql).
    A sentence that mentions two themes is a row for each, with the sentence's
    one sentiment (DECISIONLOG.md, "Theme sentiment"). -#}
-- depends_on: {{ ref('comment_themes') }}
{%- set taxonomy = comment_theme_taxonomy() %}

with

sentences as (
    select * from {{ ref('int_survey_comment_sentences') }}
),

matched as (
    select
        response_id,
        sentence_number,
        sentence_sentiment,
        sentence_sentiment_label,
        {{ matched_comment_themes('sentence_text', 'language_code', taxonomy) }} as themes
    from sentences
),

final as (
    select
        response_id,
        sentence_number,
        unnest(themes) as theme,
        sentence_sentiment,
        sentence_sentiment_label
    from matched
)

select * from final
