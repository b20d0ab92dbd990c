"""Sentiment of every valid response's verbatim (see cx.voc).

Incremental: a run scores only verbatims it has not scored yet, a response
whose re-export changed its comment included (``comment_md5``).
"""

from cx.voc import score_comments


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        unique_key="response_id",
        incremental_strategy="delete+insert",
    )
    comments = (
        dbt.ref("int_survey_responses_classified")
        .filter("exclusion_reason is null and comment_text is not null")
        .select("response_id, comment_text, language_code, md5(comment_text) as comment_md5")
    )
    if dbt.is_incremental:
        scored = session.sql(f"select response_id, comment_md5 from {dbt.this}")
        comments = comments.set_alias("comments").join(
            scored.set_alias("scored"),
            "comments.response_id = scored.response_id"
            " and comments.comment_md5 = scored.comment_md5",
            how="anti",
        )
    comments = comments.to_arrow_table()
    return score_comments(comments).append_column("comment_md5", comments.column("comment_md5"))
