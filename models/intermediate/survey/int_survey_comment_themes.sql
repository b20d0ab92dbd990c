{#- The themes of each valid verbatim, from the theme taxonomy seed
    (macros/survey/comment_themes.sql). -#}
-- depends_on: {{ ref('comment_themes') }}
{%- set taxonomy = comment_theme_taxonomy() %}

with

responses as (
    select
        response_id,
        language_code,
        comment_text
    from {{ ref('int_survey_responses_classified') }}
    where exclusion_reason is null and comment_text is not null
),

matched as (
    select
        response_id,
        {{ matched_comment_themes('comment_text', 'language_code', taxonomy) }} as comment_themes
    from responses
),

final as (
    select
        response_id,
        comment_themes
    from matched
    where len(comment_themes) > 0
)

select * from final
