"""Sentiment of every review's text (title and body, `stg_reviews__reviews.review_text`),
scored as survey verbatims are (cx.voc.score_comments), keyed by review_id."""

from cx.voc import score_comments


def model(dbt, session):
    dbt.config(materialized="table")
    texts = (
        dbt.ref("stg_reviews__reviews")
        .filter("review_text is not null")
        .select("review_id, review_text as comment_text, language_code")
    )
    return score_comments(texts.to_arrow_table(), key="review_id")
