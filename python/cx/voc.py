"""Voice of the customer: sentiment of survey verbatims.

English verbatims are scored with VADER (vaderSentiment), extended with a small
customer-experience phrase lexicon: stock VADER scores "Waited too long on hold,
never again" as neutral, because its lexicon knows words, not CX phrases. Each
phrase is replaced by one token that the extended lexicon scores.

German, French and Spanish verbatims get no score and the label
``unsupported_language``: an English lexicon on another language gives numbers
that look precise and mean nothing. Their themes are still found (by the theme
taxonomy seed, in SQL).

VADER's time grows with the square of a text's length (it looks each word up
in the list of all words): 2,000 characters take about 0.02 s, 10,000 about
0.4 s, 40,000 about 5 s, so one 1 MB verbatim would stall a build for hours.
A verbatim longer than ``SCORED_PREFIX_CHARS`` is scored on a prefix that
ends at a sentence or word boundary (``scored_prefix``), and the output says
how many characters were scored (DECISIONLOG.md, "Sentiment of long
verbatims"). Theme matching reads the whole verbatim: it is linear.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyarrow as pa

SUPPORTED_LANGUAGES = ("en",)
POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05
MIXED_AT = 0.3
"""A verbatim is mixed when one sentence scores at least +0.3 and another at most -0.3."""
SCORED_PREFIX_CHARS = 2_000
"""The most characters of one verbatim that are scored (about 350 words, 0.02 s)."""
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
_WORD_END = re.compile(r"\s")

CX_PHRASES: dict[str, float] = {
    r"too long": -2.0,
    r"on hold": -1.5,
    r"never again": -2.5,
    r"no answer|without an answer|nobody answered": -2.0,
    r"still waiting": -2.0,
    r"arrived late|came late|\blate\b": -1.5,
    r"damaged|crushed": -2.0,
    r"\bbroke\b|\bbroken\b|stopped working": -2.0,
    r"didn'?t listen|did not listen": -2.0,
    r"too expensive|overpriced": -2.0,
    r"price went up|prices went up": -1.5,
    r"poor quality": -2.0,
    r"charged twice": -2.0,
    r"not as described": -2.0,
    r"arrived (a day |two days )?early": 1.5,
    r"within minutes": 1.5,
    r"as described": 1.0,
    r"well packed": 1.5,
    r"good value|great value": 2.0,
    r"quick delivery|fast delivery|delivery was fast": 1.5,
}

SENTIMENT_SCHEMA = pa.schema(
    [
        ("response_id", pa.string()),
        ("comment_sentiment", pa.float64()),
        ("comment_sentiment_label", pa.string()),
        ("comment_sentiment_scored_chars", pa.int64()),
        ("is_comment_sentiment_on_prefix", pa.bool_()),
    ]
)


@lru_cache(maxsize=1)
def _analyzer() -> tuple[object, list[tuple[re.Pattern[str], str]]]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    replacements = []
    for number, (pattern, valence) in enumerate(CX_PHRASES.items()):
        token = f"cxphrase{number}"
        analyzer.lexicon[token] = valence
        replacements.append((re.compile(pattern, re.IGNORECASE), f" {token} "))
    return analyzer, replacements


def _compound(text: str) -> float:
    analyzer, replacements = _analyzer()
    for pattern, token in replacements:
        text = pattern.sub(token, text)
    return float(analyzer.polarity_scores(text)["compound"])


def scored_prefix(comment: str, limit: int = SCORED_PREFIX_CHARS) -> str:
    """The part of a verbatim that is scored, counted from its first non-space character:
    all of it when that leaves at most ``limit`` characters; else the longest prefix of
    at most ``limit`` characters that ends a sentence, if that keeps at least half of
    ``limit``; else that ends a word. A text with no space in its first ``limit``
    characters is one token longer than any word in a lexicon, and is cut at ``limit``."""
    lead = len(comment) - len(comment.lstrip())
    if len(comment) - lead <= limit:
        return comment
    window = comment[lead : lead + limit + 1]  # a boundary right after the limit counts
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() <= limit]
    word_ends = [m.start() for m in _WORD_END.finditer(window)]
    if sentence_ends and sentence_ends[-1] >= limit // 2:
        cut = sentence_ends[-1]
    elif word_ends:
        cut = word_ends[-1]
    else:
        cut = limit
    return comment[: lead + cut].rstrip()


def score(comment: str | None, language: str | None) -> tuple[float | None, str | None]:
    """(score in [-1, 1], label) for one verbatim, or for its ``scored_prefix`` when it
    is longer than ``SCORED_PREFIX_CHARS``; (None, None) without a comment."""
    if comment is None or not comment.strip():
        return None, None
    if language not in SUPPORTED_LANGUAGES:
        return None, "unsupported_language"
    comment = scored_prefix(comment)
    overall = _compound(comment)
    sentences = [s for s in re.split(r"[.!?\n]+", comment) if s.strip()]
    parts = [_compound(s) for s in sentences]
    if len(parts) > 1 and max(parts) >= MIXED_AT and min(parts) <= -MIXED_AT:
        return overall, "mixed"
    if overall >= POSITIVE_AT:
        return overall, "positive"
    if overall <= NEGATIVE_AT:
        return overall, "negative"
    return overall, "neutral"


def score_comments(comments: pa.Table) -> pa.Table:
    """Score a table of (response_id, comment_text, language_code)."""
    ids = comments.column("response_id").to_pylist()
    texts = comments.column("comment_text").to_pylist()
    languages = comments.column("language_code").to_pylist()
    # The same verbatim in the same language scores the same: score it once.
    memo: dict[tuple[str | None, str | None], tuple[float | None, str | None]] = {}
    scored = [
        memo[pair] if pair in memo else memo.setdefault(pair, score(*pair))
        for pair in zip(texts, languages, strict=True)
    ]
    # How much of each verbatim the score read: null where nothing was scored.
    scored_chars = [
        None if value is None else len(scored_prefix(text))
        for text, (value, _) in zip(texts, scored, strict=True)
    ]
    return pa.table(
        {
            "response_id": pa.array(ids, pa.string()),
            "comment_sentiment": pa.array([s for s, _ in scored], pa.float64()),
            "comment_sentiment_label": pa.array([label for _, label in scored], pa.string()),
            "comment_sentiment_scored_chars": pa.array(scored_chars, pa.int64()),
            "is_comment_sentiment_on_prefix": pa.array(
                [
                    None if chars is None else chars < len(text)
                    for text, chars in zip(texts, scored_chars, strict=True)
                ],
                pa.bool_(),
            ),
        },
        schema=SENTIMENT_SCHEMA,
    )
