"""Verbatims in English, German, French and Spanish: accuracy on labelled CX comments,
negated phrases, sentences, and the scored prefix in every language."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pyarrow as pa
import pytest

from cx.voc import (
    SCORED_PREFIX_CHARS,
    SUPPORTED_LANGUAGES,
    phrase_valence,
    score,
    score_comment_sentences,
    score_sentences,
    scored_prefix,
    sentences,
)

FIXTURES = Path(__file__).parent / "fixtures" / "verbatims"
LABELS = {"positive", "negative", "mixed"}
# The share of the labelled comments each language must get right (DECISIONLOG.md,
# "Verbatims in every language").
TARGET = {"en": 0.9, "de": 0.8, "fr": 0.8, "es": 0.8}


def labelled(language: str) -> list[dict[str, str]]:
    with (FIXTURES / f"{language}.csv").open(encoding="utf-8", newline="") as lines:
        return list(csv.DictReader(lines))


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_labelled_set_has_forty_comments_of_every_kind(language):
    rows = labelled(language)
    assert len(rows) >= 40
    assert {row["label"] for row in rows} == LABELS
    for label in LABELS:
        assert sum(row["label"] == label for row in rows) >= 5


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_accuracy_per_language(language):
    rows = labelled(language)
    wrong = [
        (row["text"], row["label"], got)
        for row in rows
        if (got := score(row["text"], language)[1]) != row["label"]
    ]
    accuracy = 1 - len(wrong) / len(rows)
    assert accuracy >= TARGET[language], wrong


# Written after the phrase lexicons, and measured once, before any change made for
# them (DECISIONLOG.md): what the scorers get right on comments they were not
# written against. A change that reads fewer of them right fails here.
HELD_OUT_RIGHT = {"en": 7, "de": 7, "fr": 6, "es": 8}  # of 12 each


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_held_out_comments_do_not_get_worse(language):
    with (FIXTURES / "held_out" / f"{language}.csv").open(encoding="utf-8", newline="") as lines:
        rows = list(csv.DictReader(lines))
    assert len(rows) == 12
    right = sum(score(row["text"], language)[1] == row["label"] for row in rows)
    assert right >= HELD_OUT_RIGHT[language]


@pytest.mark.parametrize(
    ("comment", "language", "label"),
    [
        # Everyday complaints that hold no word a general lexicon scores.
        ("Die Erstattung kam nie.", "de", "negative"),
        ("Ich hing eine Stunde in der Warteschleife.", "de", "negative"),
        ("Le remboursement n'est jamais arrivé.", "fr", "negative"),
        ("Quarante minutes en attente au téléphone.", "fr", "negative"),
        ("El reembolso nunca llegó.", "es", "negative"),
        ("Mi paquete llegó tarde.", "es", "negative"),
        # Praise a general lexicon misses.
        ("Der Support hat innerhalb von Minuten geantwortet!", "de", "positive"),
        ("Le support a répondu en quelques minutes !", "fr", "positive"),
        ("¡Soporte respondió en pocos minutos!", "es", "positive"),
    ],
)
def test_cx_phrases_in_every_language(comment, language, label):
    assert score(comment, language)[1] == label


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Die Mitarbeiterin war nicht hilfsbereit.", "de"),
        ("La conseillère n'était pas aimable.", "fr"),
        ("El agente no fue amable.", "es"),
    ],
)
def test_a_negated_phrase_counts_against_its_sign(text, language):
    # The phrase's valence +2.0 times VADER's negation factor -0.74 = -1.48.
    assert phrase_valence(text, language) == pytest.approx(-1.48)


def test_a_phrase_is_counted_once():
    # "zu spät" -2.0 and "beschädigt" -2.0: -4.0.
    assert phrase_valence("Das Paket kam zu spät und war beschädigt.", "de") == pytest.approx(-4.0)
    # "nie wieder" -2.5 is taken out before "kam (...) nie" is looked for: -2.5 once.
    assert phrase_valence("Nie wieder.", "de") == pytest.approx(-2.5)
    # "unhöflich" is not read as "höflich" (+2.0) inside it.
    assert phrase_valence("Er war unhöflich.", "de") == pytest.approx(-2.5)
    assert phrase_valence("Il était impoli.", "fr") == pytest.approx(-2.5)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # Abbreviations and decimals do not end a sentence; Spanish opening marks begin one.
        (
            "Das Paket kam z. B. zu spät. Der Preis war 9.99 EUR! Toll.",
            "de",
            ["Das Paket kam z. B. zu spät.", "Der Preis war 9.99 EUR!", "Toll."],
        ),
        (
            "Merci ! Le colis est arrivé. Prix 9,99 €.",
            "fr",
            ["Merci !", "Le colis est arrivé.", "Prix 9,99 €."],
        ),
        ("¡Genial! ¿Por qué tan tarde?", "es", ["¡Genial!", "¿Por qué tan tarde?"]),
        (
            "Mr. Smith helped. It cost 9.99 dollars!\nGreat",
            "en",
            ["Mr. Smith helped.", "It cost 9.99 dollars!", "Great"],
        ),
        # A language the splitter does not know: one sentence per line, never a guess.
        (
            "Buona qualità. Consegna lenta.\nGrazie",
            "xx",
            ["Buona qualità. Consegna lenta.", "Grazie"],
        ),
        ("   \n", "en", []),
    ],
)
def test_sentences_by_the_rules_of_their_language(text, language, expected):
    assert sentences(text, language) == expected


def test_each_sentence_gets_its_own_polarity():
    parts = score_sentences(
        "Der Support hat innerhalb von Minuten geantwortet. Leider kam die Erstattung nie.",
        "de",
    )
    assert [(text, label) for text, _, label in parts] == [
        ("Der Support hat innerhalb von Minuten geantwortet.", "positive"),
        ("Leider kam die Erstattung nie.", "negative"),
    ]
    assert score_sentences(None, "de") == [] and score_sentences("  ", "de") == []
    assert score_sentences("Buona qualità.", "it") == [
        ("Buona qualità.", None, "unsupported_language")
    ]


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("Mein Paket kam zu spät und der Karton war beschädigt, nie wieder. ", "de"),
        ("Mon colis est arrivé en retard et le carton était abîmé, plus jamais. ", "fr"),
        ("Mi paquete llegó tarde y la caja estaba dañada, nunca más. ", "es"),
    ],
)
def test_every_language_is_scored_on_its_prefix(sentence, language):
    # A 40,000-character verbatim: only its scored prefix is read, in every language.
    comment = sentence * (40_000 // len(sentence) + 1)
    prefix = scored_prefix(comment)
    assert SCORED_PREFIX_CHARS // 2 <= len(prefix) <= SCORED_PREFIX_CHARS
    assert score(comment, language) == score(prefix, language)
    parts = score_sentences(comment, language)
    # The sentences of the prefix, then the rest unscored as one part.
    assert parts[-1] == (comment[len(prefix) :].strip(), None, "not_scored")
    assert all(label == "negative" for _, _, label in parts[:-1])
    assert sum(len(text) for text, _, _ in parts[:-1]) <= len(prefix)


def test_a_table_of_sentences():
    table = score_comment_sentences(
        pa.table(
            {
                "response_id": ["R1", "R2", "R3"],
                "comment_text": [
                    "Trop cher. Mais livraison rapide !",
                    "Trop cher. Mais livraison rapide !",
                    "Ottimo.",
                ],
                "language_code": ["fr", "fr", "it"],
            }
        )
    )
    assert table.column("response_id").to_pylist() == ["R1", "R1", "R2", "R2", "R3"]
    assert table.column("sentence_number").to_pylist() == [1, 2, 1, 2, 1]
    assert table.column("sentence_sentiment_label").to_pylist() == [
        "negative",
        "positive",
        "negative",
        "positive",
        "unsupported_language",
    ]
    assert table.column("sentence_sentiment")[4].as_py() is None
    empty = score_comment_sentences(
        pa.table(
            {
                "response_id": pa.array([], pa.string()),
                "comment_text": pa.array([], pa.string()),
                "language_code": pa.array([], pa.string()),
            }
        )
    )
    assert empty.num_rows == 0


def test_threads_split_sentences_apart():
    # dbt runs the sentiment and the sentence models on two threads of one process; a
    # pysbd Segmenter shared between them mixed up their texts (25 of 1,200 splits
    # wrong here with one shared Segmenter, and labels that differed between builds).
    texts = {
        "a": "Too expensive for what you get, the price went up again. Love it, excellent product!",
        "b": "Love it, excellent product! Three days without an answer.",
    }
    expected = {key: sentences(text, "en") for key, text in texts.items()}
    assert [len(parts) for parts in expected.values()] == [2, 2]
    wrong: list[str] = []

    def split(key: str) -> None:
        for _ in range(300):
            if sentences(texts[key], "en") != expected[key]:
                wrong.append(key)

    threads = [threading.Thread(target=split, args=(key,)) for key in ("a", "b", "a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
