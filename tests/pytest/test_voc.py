"""Verbatim sentiment: CX phrases, languages, mixed feelings."""

from __future__ import annotations

import pyarrow as pa
import pytest

from cx.voc import SCORED_PREFIX_CHARS, score, score_comments, scored_prefix


@pytest.mark.parametrize(
    ("comment", "label"),
    [
        # Stock VADER scores each of these 0.0: the CX phrase lexicon is what reads them.
        ("Waited too long on hold, never again.", "negative"),
        ("Three days without an answer 😡", "negative"),
        ('They said "next week", it took a month.\nStill waiting for my parcel.', "negative"),
        ("Delivery was fast, it arrived a day early.", "positive"),
        ("Support answered within minutes!", "positive"),
        ("Product broke after two weeks, poor quality.", "negative"),
        ("The agent, Maria, was friendly and really helpful 😊", "positive"),
        ("Great quality, works exactly as described. Staff were rude and didn't listen.", "mixed"),
        ("I received the order on Tuesday", "neutral"),
    ],
)
def test_english_verbatims(comment, label):
    value, got = score(comment, "en")
    assert got == label
    assert -1 <= value <= 1


def test_a_language_without_a_scorer_gets_no_score():
    # Italian is not among SUPPORTED_LANGUAGES: no number that would look precise.
    assert score("Consegna in ritardo, pacco danneggiato.", "it") == (
        None,
        "unsupported_language",
    )
    assert score("Viel zu teuer.", None) == (None, "unsupported_language")


def test_no_comment_no_sentiment():
    assert score(None, "en") == (None, None)
    assert score("   ", "en") == (None, None)


def test_a_table_of_comments():
    scored = score_comments(
        pa.table(
            {
                "response_id": ["R1", "R2", "R3"],
                "comment_text": ["Good value for the price.", "Troppo caro", None],
                "language_code": ["en", "it", "en"],
            }
        )
    )
    assert scored.column("comment_sentiment_label").to_pylist() == [
        "positive",
        "unsupported_language",
        None,
    ]
    assert scored.column("comment_sentiment")[1].as_py() is None
    # len("Good value for the price.") = 25; nothing is scored in Italian or without a comment.
    assert scored.column("comment_sentiment_scored_chars").to_pylist() == [25, None, None]
    assert scored.column("is_comment_sentiment_on_prefix").to_pylist() == [False, None, None]


@pytest.mark.parametrize(
    ("comment", "limit", "prefix"),
    [
        # Short enough: all of it.
        ("Good value.", 20, "Good value."),
        # "Good value." ends at 11 <= 20, and keeps at least 20 // 2 = 10 characters.
        ("Good value. Fast delivery. Kind staff.", 20, "Good value."),
        # The only sentence end within 20 is at 5 < 10: cut at the last space within 20,
        # after "Good. Fast delivery" (5 + 5 + 9 = 19 characters), not inside "and".
        ("Good. Fast delivery and kind staff", 20, "Good. Fast delivery"),
        # A space right after the limit ends the word at the limit.
        ("abcde fghij", 5, "abcde"),
        # One token longer than the limit: no word boundary to cut at.
        ("x" * 30, 10, "x" * 10),
        # The limit counts from the first non-space character: 3 spaces + 11.
        ("   Good value. More text here", 11, "   Good value."),
    ],
)
def test_the_scored_prefix_ends_at_a_sentence_or_a_word(comment, limit, prefix):
    assert scored_prefix(comment, limit) == prefix


def test_a_one_megabyte_verbatim_is_scored_on_its_prefix_and_says_so():
    # 38 characters a sentence ("Waited too long on hold, never again. "): 52 of them end
    # within 2,000 characters, the 52nd's full stop at 52 * 38 - 1 = 1,975.
    complaint = "Waited too long on hold, never again. " * 100
    praise = "Great value, quick delivery, friendly staff. " * 25_000  # 1.1 MB
    comment = complaint + praise
    assert SCORED_PREFIX_CHARS == 2_000
    assert scored_prefix(comment) == complaint[:1_975]
    value, label = score(comment, "en")
    assert (value, label) == score(complaint[:1_975], "en")
    assert label == "negative"  # only the complaint was read, not the praise after it
    scored = score_comments(
        pa.table({"response_id": ["R1"], "comment_text": [comment], "language_code": ["en"]})
    )
    assert scored.column("comment_sentiment_scored_chars").to_pylist() == [1_975]
    assert scored.column("is_comment_sentiment_on_prefix").to_pylist() == [True]


def test_reviews_are_scored_by_their_own_key_as_survey_verbatims_are():
    """The same text in the same language scores the same whatever its source; the
    result is keyed by the column named (reviews: review_id)."""
    texts = ["Great shop. Quick delivery and well packed 📦", "Enttäuscht. Viel zu teuer."]
    languages = ["en", "de"]
    reviews = score_comments(
        pa.table({"review_id": ["V1", "V2"], "comment_text": texts, "language_code": languages}),
        key="review_id",
    )
    responses = score_comments(
        pa.table({"response_id": ["R1", "R2"], "comment_text": texts, "language_code": languages})
    )
    assert reviews.column_names[0] == "review_id"
    assert reviews.column("review_id").to_pylist() == ["V1", "V2"]
    assert reviews.drop_columns("review_id").equals(responses.drop_columns("response_id"))
    assert reviews.column("comment_sentiment_label").to_pylist() == ["positive", "negative"]
