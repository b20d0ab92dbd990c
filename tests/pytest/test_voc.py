"""Verbatim sentiment: CX phrases, languages, mixed feelings."""

from __future__ import annotations

import pyarrow as pa
import pytest

from cx.voc import score, score_comments


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


def test_other_languages_get_no_english_score():
    assert score("Livraison en retard, le colis était abîmé.", "fr") == (
        None,
        "unsupported_language",
    )
    assert score("Viel zu teuer.", "de") == (None, "unsupported_language")


def test_no_comment_no_sentiment():
    assert score(None, "en") == (None, None)
    assert score("   ", "en") == (None, None)


def test_a_table_of_comments():
    scored = score_comments(
        pa.table(
            {
                "response_id": ["R1", "R2", "R3"],
                "comment_text": ["Good value for the price.", "Demasiado caro", None],
                "language_code": ["en", "es", "en"],
            }
        )
    )
    assert scored.column("comment_sentiment_label").to_pylist() == [
        "positive",
        "unsupported_language",
        None,
    ]
    assert scored.column("comment_sentiment")[1].as_py() is None
