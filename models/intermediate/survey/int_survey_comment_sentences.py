"""Each sentence of every valid response's verbatim with its sentiment (see
cx.voc.score_comment_sentences): the sentences of the scored prefix, split by
the rules of the verbatim's language, and the rest of a longer verbatim as one
unscored part.

A table rebuilt whole on every run, like everything after the typed extract
lines (DECISIONLOG.md, "Incremental: files, not facts"): a response whose
comment changed or that stopped being valid can never keep old sentences.
"""

import pyarrow as pa

from cx.voc import score_comment_sentences


def model(dbt, session):
    dbt.config(materialized="table")
    comments = (
        dbt.ref("int_survey_responses_classified")
        .filter("exclusion_reason is null and comment_text is not null")
        .select("response_id, comment_text, language_code, md5(comment_text) as comment_md5")
    ).to_arrow_table()
    sentences = score_comment_sentences(comments)
    md5_of = dict(
        zip(
            comments.column("response_id").to_pylist(),
            comments.column("comment_md5").to_pylist(),
            strict=True,
        )
    )
    # Typed even when there is no verbatim: an empty build keeps the column's type.
    return sentences.append_column(
        "comment_md5",
        pa.array(
            [md5_of[response_id] for response_id in sentences.column("response_id").to_pylist()],
            pa.string(),
        ),
    )
