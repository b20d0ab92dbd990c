"""Voice of the customer: sentiment of survey verbatims and of their sentences.

Each supported language has a general scorer from a package on the package index,
and on top of it the language's customer-experience phrase lexicon
(``cx.voc_phrases``, general rules of CX language: waiting told as a duration,
nobody acting, repeated effort, what failed or never came, negated negatives):
general lexicons know words, not CX phrases, and score "Waited too long on hold,
never again" as neutral.

- English: VADER (vaderSentiment). Each CX phrase becomes one token that the
  extended VADER lexicon scores, so VADER's own rules (negation, "but", boosters)
  apply to it.
- German: textblob-de's Pattern lexicon (with its negations and lemmas).
- French: textblob-fr's Pattern lexicon (with its negations).
- Spanish: sentiment-analysis-spanish, a naive Bayes model over word n-grams
  that ships inside the package.

For German, French and Spanish, the valences of the CX phrases found are summed
(a phrase after a negation within three words counts against its sign, by
VADER's factor, unless it holds a negation itself; a phrase found is taken out
before the next is looked for, so "unhöflich" is not also "höflich"); the
package's polarity of the text, in [-1, 1], weighs in at the language's
``PACKAGE_WEIGHT`` of VADER's scale, and the sum is normalised to [-1, 1] as VADER
does (x / sqrt(x^2 + 15)). DECISIONLOG.md
("Verbatims in every language") has the accuracy of each package alone and with
the phrases. A language outside ``SUPPORTED_LANGUAGES`` gets no score and the
label ``unsupported_language``.

Sentences are split by the rules of their language (pysbd), for the ``mixed``
label and for the sentiment of the sentence that mentions a theme; for the
``mixed`` label only, a sentence is also read in the clauses its contrast words
begin ("but", "aber", "mais", "pero": ``CONTRASTS``).

Long verbatims: VADER's time grows with the square of a text's length (2,000
characters take about 0.02 s, 40,000 about 5 s), so a verbatim longer than
``SCORED_PREFIX_CHARS`` is scored on a prefix that ends at a sentence or word
boundary (``scored_prefix``), in every language, and the output says how many
characters were scored (DECISIONLOG.md, "Sentiment of long verbatims").
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import re
import tempfile
import threading
import warnings
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import pyarrow as pa

from cx import paths
from cx.voc_phrases import CX_PHRASES

SUPPORTED_LANGUAGES = ("en", "de", "fr", "es")
POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05
MIXED_AT = 0.3
"""A verbatim is mixed when one sentence scores at least +0.3 and another at most -0.3."""
SCORED_PREFIX_CHARS = 2_000
"""The most characters of one verbatim that are scored (about 350 words, 0.02 s)."""
PACKAGE_WEIGHT: dict[str, float] = {"de": 3.0, "fr": 3.0, "es": 1.0}
"""How much a package's polarity (in [-1, 1]) weighs, on VADER's valence scale (-4..4).
The Spanish model is often sure of the wrong sign (-1.0 for "El mejor servicio al
cliente que he tenido en años."): it weighs less than one CX phrase, and decides
alone only where no phrase speaks (DECISIONLOG.md)."""
NEGATIONS: dict[str, tuple[str, ...]] = {
    "de": ("nicht", "kein", "keine", "keinen", "keiner", "nie", "niemals"),
    "fr": ("pas", "jamais", "aucun", "aucune"),
    "es": ("no", "nunca", "ni", "tampoco"),
}
"""Words that turn a CX phrase within the three words after them against its sign. French
"ne" is not one: written French negates with "pas", "jamais", "aucun" ("n'était pas
aimable"), and "ne" alone before a phrase ("n'est toujours pas expédiée après deux
semaines") belongs to a negation the phrase already holds."""
CONTRASTS: dict[str, str] = {
    "en": r"but|however|unfortunately|sadly|on the other hand",
    "de": r"aber|jedoch|allerdings|leider|dafür|andererseits",
    "fr": r"mais|par contre|cependant|toutefois|en revanche|malheureusement|hélas|pourtant",
    "es": r"pero|sin embargo|en cambio|por desgracia|lamentablemente|no obstante",
}
"""Words that turn from one side of a verdict to the other ("Great shoes, but the refund
never came"): a sentence is also read in the clauses they begin, for the ``mixed``
label only. Concessive words ("although", "obwohl", "bien que", "aunque") are left
out: the clause after them rarely carries a verdict of its own."""
NEGATION_SCALAR = -0.74
"""VADER's factor for a negated valence."""
NORMALISATION_ALPHA = 15.0
"""VADER's normalisation of a valence sum to [-1, 1]: x / sqrt(x^2 + alpha)."""
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
_WORD_END = re.compile(r"\s")
_WORD = re.compile(r"[\w']+")
_CONTRAST = {
    language: re.compile(rf"[,;:]?\s+(?=(?:{words})\b)", re.IGNORECASE)
    for language, words in CONTRASTS.items()
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

SENTENCE_SCHEMA = pa.schema(
    [
        ("response_id", pa.string()),
        ("sentence_number", pa.int64()),
        ("sentence_text", pa.string()),
        ("language_code", pa.string()),
        ("sentence_sentiment", pa.float64()),
        ("sentence_sentiment_label", pa.string()),
    ]
)


def _phrases(language: str) -> list[tuple[re.Pattern[str], float]]:
    return [
        (re.compile(pattern, re.IGNORECASE), valence)
        for pattern, valence in CX_PHRASES[language].items()
    ]


@lru_cache(maxsize=1)
def _vader() -> tuple[object, list[tuple[re.Pattern[str], str]]]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    replacements = []
    for number, (pattern, valence) in enumerate(_phrases("en")):
        token = f"cxphrase{number}"
        analyzer.lexicon[token] = valence
        replacements.append((pattern, f" {token} "))
    return analyzer, replacements


def _english(text: str) -> float:
    with _LOADING:
        analyzer, replacements = _vader()
    for pattern, token in replacements:
        text = pattern.sub(token, text)
    return float(analyzer.polarity_scores(text)["compound"])


def _warmed(polarity: Callable[[str], float]) -> Callable[[str], float]:
    # Pattern's lexicons load on their first lookup: do it now, while the loading
    # thread holds the lock, not on two threads at once.
    polarity("ok")
    return polarity


@lru_cache(maxsize=1)
def _german_polarity() -> Callable[[str], float]:
    from textblob_de import PatternTokenizer, TextBlobDE

    # PatternTokenizer: textblob-de's default tokenizer needs NLTK data that the
    # build cannot download.
    tokenizer = PatternTokenizer()
    return _warmed(lambda text: float(TextBlobDE(text, tokenizer=tokenizer).sentiment.polarity))


@lru_cache(maxsize=1)
def _french_polarity() -> Callable[[str], float]:
    from textblob import TextBlob
    from textblob_fr import PatternAnalyzer, PatternTagger

    analyzer, tagger = PatternAnalyzer(), PatternTagger()
    return _warmed(
        lambda text: float(TextBlob(text, pos_tagger=tagger, analyzer=analyzer).sentiment[0])
    )


SPANISH_MODEL_FILES = (
    "ngram_vectorized_compressed.pbz2",
    "classifier_naive_bayes_compressed.pbz2",
)


def spanish_model() -> object:
    """sentiment-analysis-spanish's model, read from the build's model cache when it
    holds it for these package files and this scikit-learn, else from the package.

    The package ships its n-gram vectorizer as a 30 MB bz2 pickle that takes about 9 s
    to load: 97 MB of it is ``stop_words_``, the 4.8M n-grams its 5,000-word
    vocabulary left out, which scikit-learn keeps for introspection only ("can be
    safely removed ... before pickling"). The cache holds the vectorizer without them
    and the classifier (160 KB; loads in milliseconds); scores are the same.
    """
    # The model was pickled with scikit-learn 0.23; scikit-learn warns on loading it
    # with a later release. The accuracy test on the labelled verbatims is what
    # says whether it still reads Spanish (tests/pytest/test_voc_languages.py).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import sklearn
        from sentiment_analysis_spanish import sentiment_analysis

        package = Path(sentiment_analysis.__file__).parent / "saved_model"
        key = hashlib.sha256(sklearn.__version__.encode())
        for name in SPANISH_MODEL_FILES:
            key.update((package / name).read_bytes())
        cached = paths.model_cache() / f"sentiment-analysis-spanish-{key.hexdigest()[:16]}.pickle"
        model = object.__new__(sentiment_analysis.SentimentAnalysisSpanish)
        try:
            model.vectorizer, model.classifier = pickle.loads(cached.read_bytes())
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
            # Not cached yet, or not a cache this build can read: from the package.
            model = sentiment_analysis.SentimentAnalysisSpanish()
            _cache_spanish_model(model, cached)
    return model


def _cache_spanish_model(model: object, cached: Path) -> None:
    """Write the model without the vectorizer's ``stop_words_`` to ``cached``, whole
    then renamed (a build beside this one reads all of it or nothing). A cache that
    cannot be written is left out: the next build loads from the package again."""
    model.vectorizer.stop_words_ = None
    written: Path | None = None
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cached.parent, suffix=".tmp", delete=False) as file:
            written = Path(file.name)
            pickle.dump((model.vectorizer, model.classifier), file, pickle.HIGHEST_PROTOCOL)
        os.replace(written, cached)
    except OSError:
        if written is not None:
            written.unlink(missing_ok=True)


@lru_cache(maxsize=1)
def _spanish_polarity() -> Callable[[str], float]:
    model = spanish_model()
    return _warmed(lambda text: 2.0 * float(model.sentiment(text)) - 1.0)


_POLARITY: dict[str, Callable[[], Callable[[str], float]]] = {
    "de": _german_polarity,
    "fr": _french_polarity,
    "es": _spanish_polarity,
}
_LOADING = threading.Lock()
"""dbt runs Python models on threads of one process: a scorer is loaded once, by the
first thread that needs it (the Spanish model takes 10-30 s to unpickle)."""


def _polarity(language: str) -> Callable[[str], float]:
    with _LOADING:
        return _POLARITY[language]()


@lru_cache(maxsize=4)
def _compiled_phrases(language: str) -> list[tuple[re.Pattern[str], float]]:
    return _phrases(language)


def _is_negated(before: str, language: str) -> bool:
    words = _WORD.findall(before.lower())[-3:]
    return any(word in NEGATIONS[language] for word in words)


def _holds_negation(phrase: str, language: str) -> bool:
    # "aucun souci", "nie angekommen", "todavía no": the phrase holds its own negation,
    # and a negation just before it is part of that one, not a second one.
    return any(word in NEGATIONS[language] for word in _WORD.findall(phrase.lower()))


def phrase_valence(text: str, language: str) -> float:
    """The summed valence of the CX phrases in ``text``; each phrase found is taken out
    of the text before the next pattern is looked for. A phrase within three words after
    a negation counts against its sign, unless it holds a negation itself."""
    total = 0.0
    for pattern, valence in _compiled_phrases(language):
        rest = []
        last = 0
        for match in pattern.finditer(text):
            negated = not _holds_negation(match.group(), language) and _is_negated(
                text[max(0, match.start() - 40) : match.start()], language
            )
            total += valence * (NEGATION_SCALAR if negated else 1.0)
            rest.append(text[last : match.start()])
            last = match.end()
        if rest:
            rest.append(text[last:])
            text = " , ".join(rest)
    return total


def _other_language(text: str, language: str) -> float:
    polarity = _polarity(language)(text) if _WORD.search(text) else 0.0
    total = PACKAGE_WEIGHT[language] * polarity + phrase_valence(text, language)
    return total / math.sqrt(total * total + NORMALISATION_ALPHA)


def _compound(text: str, language: str) -> float:
    return _english(text) if language == "en" else _other_language(text, language)


_THREAD = threading.local()


def _segmenter(language: str) -> object | None:
    # A pysbd Segmenter keeps the text it is splitting on itself: one per thread
    # (dbt runs Python models on threads of one process), never shared.
    import pysbd
    from pysbd.languages import LANGUAGE_CODES

    if language not in LANGUAGE_CODES:
        return None
    segmenters = _THREAD.__dict__.setdefault("segmenters", {})
    if language not in segmenters:
        segmenters[language] = pysbd.Segmenter(language=language, clean=False)
    return segmenters[language]


def sentences(text: str, language: str | None) -> list[str]:
    """The sentences of ``text`` by the rules of its language (pysbd: abbreviations,
    decimals, Spanish opening marks), stripped, empty ones left out; a line break
    ends a sentence. A language pysbd does not know: each line is one sentence."""
    segmenter = _segmenter(language) if language else None
    found: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = segmenter.segment(line) if segmenter is not None else [line]
        found.extend(part.strip() for part in parts if part.strip())
    return found


def clauses(sentence: str, language: str) -> list[str]:
    """The parts of a sentence split before a contrast word of its language
    (``CONTRASTS``: "but", "aber", "mais", "pero", ...), stripped, empty ones left out;
    the sentence whole in a language without contrast words."""
    contrast = _CONTRAST.get(language)
    if contrast is None:
        return [sentence]
    return [part.strip() for part in contrast.split(sentence) if part.strip()]


def _label(value: float) -> str:
    if value >= POSITIVE_AT:
        return "positive"
    if value <= NEGATIVE_AT:
        return "negative"
    return "neutral"


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
    overall = _compound(comment, language)
    # Each sentence, and each clause of a sentence a contrast word splits: "aber" often
    # stands after the verb ("Die Gutschrift dauert aber zwei Wochen"), where the clause
    # before it holds no verdict and the sentence does. One sentence of one clause cannot
    # be mixed, and is not scored twice.
    found = sentences(comment, language)
    parts: list[float] = []
    for sentence in found:
        split = clauses(sentence, language)
        if len(found) == 1 and len(split) == 1:
            break
        parts.append(overall if sentence == comment.strip() else _compound(sentence, language))
        if len(split) > 1:
            parts.extend(_compound(clause, language) for clause in split)
    if parts and max(parts) >= MIXED_AT and min(parts) <= -MIXED_AT:
        return overall, "mixed"
    return overall, _label(overall)


def score_sentences(
    comment: str | None, language: str | None
) -> list[tuple[str, float | None, str | None]]:
    """(sentence, score, label) for each sentence of a verbatim's ``scored_prefix``
    (label positive, negative or neutral; a language outside ``SUPPORTED_LANGUAGES``:
    no score and ``unsupported_language``), and, for a verbatim longer than the
    prefix, the rest as one more part with no score and the label ``not_scored``."""
    if comment is None or not comment.strip():
        return []
    prefix = scored_prefix(comment)
    scored: list[tuple[str, float | None, str | None]] = []
    for sentence in sentences(prefix, language):
        if language in SUPPORTED_LANGUAGES:
            value = _compound(sentence, language)
            scored.append((sentence, value, _label(value)))
        else:
            scored.append((sentence, None, "unsupported_language"))
    rest = comment[len(prefix) :]
    if rest.strip():
        scored.append((rest.strip(), None, "not_scored"))
    return scored


def score_comments(comments: pa.Table, key: str = "response_id") -> pa.Table:
    """Score a table of (``key``, comment_text, language_code): survey responses by
    ``response_id``, reviews by ``review_id``. The result's first column is ``key``."""
    ids = comments.column(key).to_pylist()
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
    schema = SENTIMENT_SCHEMA.set(0, pa.field(key, pa.string()))
    return pa.table(
        {
            key: pa.array(ids, pa.string()),
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
        schema=schema,
    )


def score_comment_sentences(comments: pa.Table) -> pa.Table:
    """One row per sentence of each (response_id, comment_text, language_code):
    its number from 1, text, language, score and label (``score_sentences``)."""
    memo: dict[tuple[str | None, str | None], list[tuple[str, float | None, str | None]]] = {}
    columns: dict[str, list[object]] = {name: [] for name in SENTENCE_SCHEMA.names}
    for response_id, text, language in zip(
        comments.column("response_id").to_pylist(),
        comments.column("comment_text").to_pylist(),
        comments.column("language_code").to_pylist(),
        strict=True,
    ):
        pair = (text, language)
        parts = memo[pair] if pair in memo else memo.setdefault(pair, score_sentences(*pair))
        for number, (sentence, value, label) in enumerate(parts, start=1):
            columns["response_id"].append(response_id)
            columns["sentence_number"].append(number)
            columns["sentence_text"].append(sentence)
            columns["language_code"].append(language)
            columns["sentence_sentiment"].append(value)
            columns["sentence_sentiment_label"].append(label)
    return pa.table(columns, schema=SENTENCE_SCHEMA)
