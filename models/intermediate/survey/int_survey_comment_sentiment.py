"""Sentiment of every valid response's verbatim (see cx.voc), scored on every build."""

from cx.voc import score_comments


def model(dbt, session):
    dbt.config(materialized="table")
    comments = (
        dbt.ref("int_survey_responses_classified")
        .filter("exclusion_reason is null and comment_text is not null")
        .select("response_id, comment_text, language_code")
    )
    return score_comments(comments.to_arrow_table())
