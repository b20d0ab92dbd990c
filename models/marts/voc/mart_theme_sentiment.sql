{#- What customers praise and what they complain about: per UTC month of the
    response, verbatim theme and language, the sentences that mention the
    theme and the sentiment of each such sentence, on the dense month x theme
    x language grid (a cell without mentions is a row with zeros and a null
    share). The share negative counts scored sentences only: a sentence in a
    language without a scorer, or past a long verbatim's scored prefix, is a
    mention and nothing else (DECISIONLOG.md, "Theme sentiment"). -#}
with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

sentence_themes as (
    select * from {{ ref('int_survey_comment_sentence_themes') }}
),

taxonomy as (
    select * from {{ ref('comment_themes') }}
),

months as (
    select * from {{ observed_months('responses', 'responded_at') }}
),

themes as (
    select distinct theme from taxonomy
),

languages as (
    select unnest({{ var('languages') }}) as language_code
),

grid as (
    select
        months.month,
        months.is_partial_period,
        themes.theme,
        languages.language_code
    from months
    cross join themes
    cross join languages
),

mentions as (
    select
        responses.response_month as month,
        sentence_themes.theme,
        responses.language_code,
        sentence_themes.response_id,
        sentence_themes.sentence_sentiment_label
    from sentence_themes
    inner join responses on sentence_themes.response_id = responses.response_id
),

counted as (
    select
        month,
        theme,
        language_code,
        count(*) as mentions,
        count(distinct response_id) as responses_mentioning,
        count(*) filter (
            where sentence_sentiment_label in ('positive', 'neutral', 'negative')
        ) as scored_mentions,
        count(*) filter (where sentence_sentiment_label = 'positive') as positive_mentions,
        count(*) filter (where sentence_sentiment_label = 'neutral') as neutral_mentions,
        count(*) filter (where sentence_sentiment_label = 'negative') as negative_mentions
    from mentions
    group by month, theme, language_code
),

filled as (
    select
        grid.month,
        grid.is_partial_period,
        grid.theme,
        grid.language_code,
        coalesce(counted.mentions, 0) as mentions,
        coalesce(counted.responses_mentioning, 0) as responses_mentioning,
        coalesce(counted.scored_mentions, 0) as scored_mentions,
        coalesce(counted.positive_mentions, 0) as positive_mentions,
        coalesce(counted.neutral_mentions, 0) as neutral_mentions,
        coalesce(counted.negative_mentions, 0) as negative_mentions
    from grid
    left join counted
        on
            grid.month = counted.month
            and grid.theme = counted.theme
            and grid.language_code = counted.language_code
),

final as (
    select
        month,
        is_partial_period,
        theme,
        language_code,
        mentions,
        responses_mentioning,
        scored_mentions,
        mentions - scored_mentions as unscored_mentions,
        positive_mentions,
        neutral_mentions,
        negative_mentions,
        {{ rate_columns('negative_share', 'negative_mentions', 'scored_mentions') }}
    from filled
)

select * from final
