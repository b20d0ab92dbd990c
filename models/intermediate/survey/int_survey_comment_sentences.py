"""Each sentence of every valid response's verbatim with its sentiment (see
cx.voc.score_comment_sentences): the sentences of the scored prefix, split by
the rules of the verbatim's language, and the rest of a longer verbatim as one
unscored part.

Incremental: a run splits and scores only verbatims it has not seen yet, a
response whose re-export changed its comment included (``comment_md5``); the
rows of such a response are replaced whole (``unique_key`` response_id).
"""

import pyarrow as pa

from cx.voc import score_comment_sentences


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
        seen = session.sql(f"select distinct response_id, comment_md5 from {dbt.this}")
        comments = comments.set_alias("comments").join(
            seen.set_alias("seen"),
            "comments.response_id = seen.response_id and comments.comment_md5 = seen.comment_md5",
            how="anti",
        )
    comments = comments.to_arrow_table()
    sentences = score_comment_sentences(comments)
    md5_of = dict(
        zip(
            comments.column("response_id").to_pylist(),
            comments.column("comment_md5").to_pylist(),
            strict=True,
        )
    )
    # Typed even when there is nothing new to split: an untyped empty column would read
    # as a schema change to the incremental materialisation.
    return sentences.append_column(
        "comment_md5",
        pa.array(
            [md5_of[response_id] for response_id in sentences.column("response_id").to_pylist()],
            pa.string(),
        ),
    )
