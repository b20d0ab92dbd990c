{#- The themes of each valid verbatim, from the theme taxonomy seed. -#}
with

responses as (
    select * from {{ ref('int_survey_responses_classified') }}
),

comment_themes as (
    select * from {{ ref('comment_themes') }}
),

matches as (
    select
        responses.response_id,
        comment_themes.theme
    from responses
    inner join comment_themes
        on
            responses.language_code = comment_themes.language_code
            and regexp_matches(lower(responses.comment_text), comment_themes.pattern)
    where responses.exclusion_reason is null
),

final as (
    select
        response_id,
        list(distinct theme order by theme) as comment_themes
    from matches
    group by response_id
)

select * from final
