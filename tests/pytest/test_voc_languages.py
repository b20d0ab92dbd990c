"""Verbatims in English, German, French and Spanish: accuracy on labelled CX comments,
negated phrases, sentences, and the scored prefix in every language."""

from __future__ import annotations

import csv
import threading
import warnings
from pathlib import Path

import pyarrow as pa
import pytest

import cx.voc
from cx.voc import (
    SCORED_PREFIX_CHARS,
    SUPPORTED_LANGUAGES,
    clauses,
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


# How many of the 64 labelled comments per language (44 first written, 20 more
# later) each scorer reads right (DECISIONLOG.md, "Verbatims in every language"): a
# change that reads fewer of them right fails here.
LABELLED_RIGHT = {"en": 63, "de": 63, "fr": 63, "es": 62}  # of 64 each


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_labelled_set_has_forty_comments_of_every_kind(language):
    rows = labelled(language)
    assert len(rows) == 64
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
    assert len(rows) - len(wrong) >= LABELLED_RIGHT[language], wrong


def _labelled_set(folder: str, language: str) -> list[dict[str, str]]:
    with (FIXTURES / folder / f"{language}.csv").open(encoding="utf-8", newline="") as lines:
        return list(csv.DictReader(lines))


# Sets measured apart from the labelled comments, each with its size and the number
# each language must keep getting right (DECISIONLOG.md). A change that reads fewer
# of them right fails here.
# - held_out: written after the first phrase lexicons; 7, 7, 6 and 8 of 12 were right
#   before the general rules of CX language.
# - varied: written after the general rules, in other words and situations (a courier
#   who never came, a chatbot, a wrong colour, opposite verdicts side by side), and
#   measured once before any change for them: 9, 6, 7 and 9 of 14 right.
# - blind: written without the scorer, its lexicons or the other sets in view
#   (fixtures/verbatims/blind/README.md), 10 of each label, and never used to tune it;
#   measured once per change of the scorer ("A blind set"): 21, 15, 14 and 19 of 30
#   right before the general rules, 22, 24, 22 and 22 after. A floor, not a target.
MEASURED_SETS = {
    "held_out": (12, {"en": 12, "de": 12, "fr": 12, "es": 12}),
    "varied": (14, {"en": 10, "de": 13, "fr": 12, "es": 12}),
    "blind": (30, {"en": 22, "de": 24, "fr": 22, "es": 22}),
}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("folder", sorted(MEASURED_SETS))
def test_measured_sets_do_not_get_worse(folder, language):
    size, floor = MEASURED_SETS[folder]
    rows = _labelled_set(folder, language)
    assert len(rows) == size
    if folder == "blind":
        labels = {label: sum(row["label"] == label for row in rows) for label in LABELS}
        assert labels == dict.fromkeys(LABELS, 10)
    right = sum(score(row["text"], language)[1] == row["label"] for row in rows)
    assert right >= floor[language]


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


# General rules of CX language, on comments none of the labelled sets holds. Each rule
# has a language whose scorer read its comment wrong before the rules; the ones read
# right before ("Missing item was sent the next day") keep a rule from misfiring.
@pytest.mark.parametrize(
    ("comment", "language", "label"),
    [
        # Waiting told as a duration, and what is still not there.
        ("I waited three weeks for a refund.", "en", "negative"),
        ("My order still hasn't shipped after two weeks.", "en", "negative"),
        ("Seit drei Wochen warte ich auf mein Geld.", "de", "negative"),
        ("Meine Bestellung ist nach zwei Wochen immer noch nicht da.", "de", "negative"),
        ("J'attends mon remboursement depuis trois semaines.", "fr", "negative"),
        ("Ma commande n'est toujours pas expédiée après deux semaines.", "fr", "negative"),
        ("Llevo tres semanas esperando el reembolso.", "es", "negative"),
        ("Mi pedido todavía no ha salido después de dos semanas.", "es", "negative"),
        # Nobody acting.
        ("No one ever gets back to you.", "en", "negative"),
        ("Keiner hat sich gemeldet.", "de", "negative"),
        ("Personne ne répond au téléphone.", "fr", "negative"),
        ("Nadie me ayudó.", "es", "negative"),
        # Repeated effort.
        ("For the third time my delivery was rescheduled.", "en", "negative"),
        ("Zum dritten Mal wurde meine Lieferung verschoben.", "de", "negative"),
        ("Pour la troisième fois ma livraison a été reportée.", "fr", "negative"),
        ("Por tercera vez han aplazado mi entrega.", "es", "negative"),
        # Negated negatives.
        ("I have ordered here many times and never had a problem.", "en", "positive"),
        ("Ich hatte noch nie ein Problem mit diesem Shop.", "de", "positive"),
        ("Je n'ai jamais eu de problème avec eux.", "fr", "positive"),
        ("Nunca he tenido ningún problema con esta tienda.", "es", "positive"),
        # A missing item made good the next day: praise, not a complaint.
        ("Missing item was sent the next day, thank you.", "en", "positive"),
        ("Der fehlende Artikel wurde am nächsten Tag nachgeliefert, danke.", "de", "positive"),
        ("L'article manquant a été envoyé le lendemain, merci.", "fr", "positive"),
        ("El artículo que faltaba llegó al día siguiente, gracias.", "es", "positive"),
        # One sentence, two verdicts across a contrast word.
        ("The parcel arrived quickly but the item was the wrong colour.", "en", "mixed"),
        ("Die Lieferung war schnell, aber die Hose ist zu klein.", "de", "mixed"),
        ("Livraison rapide mais le pantalon est trop petit.", "fr", "mixed"),
        ("La entrega fue rápida pero el pantalón es demasiado pequeño.", "es", "mixed"),
    ],
)
def test_general_rules_of_cx_language(comment, language, label):
    assert score(comment, language)[1] == label


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # "aucun souci" +2.0 holds its negation: the "n'" before it is the same one.
        ("Je n'ai eu aucun souci.", "fr", 2.0),
        # "toujours pas" -2.0: French "ne" alone turns nothing.
        ("Ma commande n'est toujours pas arrivée.", "fr", -2.0),
        # "nicht angekommen" -2.0, "no me ayudaron" -2.0: a negated act, not turned again.
        ("Das Paket ist nicht angekommen.", "de", -2.0),
        ("No me ayudaron.", "es", -2.0),
    ],
)
def test_a_phrase_that_holds_a_negation_is_not_negated_again(text, language, expected):
    assert phrase_valence(text, language) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("sentence", "language", "expected"),
    [
        (
            "Great shoes, but the refund never came.",
            "en",
            ["Great shoes", "but the refund never came."],
        ),
        # "aber" after the verb: the sentence is scored whole as well (``score``).
        (
            "Die Gutschrift dauert aber zwei Wochen.",
            "de",
            ["Die Gutschrift dauert", "aber zwei Wochen."],
        ),
        (
            "Par contre, le colis était abîmé; cependant merci.",
            "fr",
            ["Par contre, le colis était abîmé", "cependant merci."],
        ),
        ("Rápido, sin embargo caro.", "es", ["Rápido", "sin embargo caro."]),
        # Concessive words do not split: the clause after them rarely holds a verdict.
        (
            "Nobody called although I was promised a callback.",
            "en",
            ["Nobody called although I was promised a callback."],
        ),
        # A language without contrast words: the sentence whole.
        ("Buona qualità, ma consegna lenta.", "it", ["Buona qualità, ma consegna lenta."]),
    ],
)
def test_clauses_split_before_a_contrast_word(sentence, language, expected):
    assert clauses(sentence, language) == expected


def test_one_sentence_is_scored_once(monkeypatch):
    calls: list[str] = []
    compound = cx.voc._compound

    def counted(text: str, language: str) -> float:
        calls.append(text)
        return compound(text, language)

    monkeypatch.setattr(cx.voc, "_compound", counted)
    assert score("Great shoes.", "en")[1] == "positive"
    assert calls == ["Great shoes."]
    calls.clear()
    # Two sentences: the verbatim, then each sentence.
    assert score("Great shoes. The refund never came.", "en")[1] == "mixed"
    assert calls == [
        "Great shoes. The refund never came.",
        "Great shoes.",
        "The refund never came.",
    ]
    calls.clear()
    # One sentence of two clauses: the verbatim is the sentence, then its clauses.
    assert score("Great shoes, but the refund never came.", "en")[1] == "mixed"
    assert calls == [
        "Great shoes, but the refund never came.",
        "Great shoes",
        "but the refund never came.",
    ]


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


def test_the_cached_spanish_model_scores_as_the_packages_own(tmp_path, monkeypatch):
    from sentiment_analysis_spanish.sentiment_analysis import SentimentAnalysisSpanish

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pickled with scikit-learn 0.23 (cx.voc)
        package = SentimentAnalysisSpanish()
    texts = [row["text"] for row in labelled("es")] + ["", "¡Genial!", "no " * 500]
    expected = [package.sentiment(text) for text in texts]
    monkeypatch.setenv("CX_CACHE_DIR", str(tmp_path / "cache"))

    first = cx.voc.spanish_model()  # from the package: writes the cache
    (cached,) = (tmp_path / "cache").iterdir()
    assert cached.name.startswith("sentiment-analysis-spanish-") and cached.suffix == ".pickle"
    assert cached.stat().st_size < 1_000_000  # the package's vectorizer alone unpickles to 97 MB

    def from_package(model: SentimentAnalysisSpanish) -> None:
        # Stands in for the package's 9 s load, and says when the package was read.
        loaded.append(True)
        model.vectorizer, model.classifier = package.vectorizer, package.classifier

    loaded: list[bool] = []
    monkeypatch.setattr(SentimentAnalysisSpanish, "__init__", from_package)
    second = cx.voc.spanish_model()
    assert not loaded  # read from the cache alone
    assert [first.sentiment(t) for t in texts] == [second.sentiment(t) for t in texts] == expected

    # A cache it cannot read is loaded from the package and written again.
    cached.write_bytes(b"not a pickle")
    third = cx.voc.spanish_model()
    assert [third.sentiment(t) for t in texts] == expected
    assert loaded == [True] and cached.stat().st_size > len(b"not a pickle")
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [cached.name]  # nothing left over

    # A cache that cannot be written: the model still scores, from the package.
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("CX_CACHE_DIR", str(tmp_path / "a-file" / "cache"))
    uncached = cx.voc.spanish_model()
    assert [uncached.sentiment(t) for t in texts] == expected
    assert loaded == [True, True]
