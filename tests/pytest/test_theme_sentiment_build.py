"""mart_theme_sentiment on generated customers: the effect the generator plants is found.

The generator writes praise and complaint sentences of every theme in every
language, and turns a share of each tone against it per theme
(``cx.generator.COUNTER_TONE``): satisfied customers still complain about the
wait, unhappy ones still praise the product. Scored per sentence, in every
language, wait_time's share negative must lie above product_quality's, with
intervals that do not overlap.
"""

from __future__ import annotations

import pytest
from scipy.stats import binomtest

from conftest import Build, build_generated
from cx.generator import COUNTER_TONE

pytestmark = pytest.mark.build

LANGUAGES = ("en", "de", "fr", "es")


@pytest.fixture(scope="module")
def generated_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return build_generated(
        tmp_path_factory.mktemp("theme_sentiment"), 6_000, 7, "+mart_theme_sentiment"
    )


def _pooled(build: Build) -> dict[tuple[str, str], tuple]:
    # Every month pooled: mentions, positive, negative, scored, share and its interval.
    rows = build.query(
        """
        with pooled as (
            select
                theme,
                language_code,
                sum(mentions) as mentions,
                sum(positive_mentions) as positive_mentions,
                sum(negative_mentions) as negative_mentions,
                sum(scored_mentions) as scored_mentions
            from marts.mart_theme_sentiment
            group by all
        )
        select
            theme, language_code, mentions, positive_mentions, negative_mentions, scored_mentions
        from pooled
        """
    )
    return {(theme, language): tuple(values) for theme, language, *values in rows}


def _wilson(successes: int, trials: int) -> tuple[float, float]:
    # SciPy's Wilson score interval, without continuity correction, as rate_columns.
    interval = binomtest(successes, trials).proportion_ci(0.95, method="wilson")
    return interval.low, interval.high


def test_the_generator_plants_the_effect():
    assert COUNTER_TONE[("wait_time", "positive")] > 0
    assert COUNTER_TONE[("product_quality", "negative")] > 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_theme_is_praised_and_criticised_in_every_language(generated_build, language):
    pooled = _pooled(generated_build)
    for theme in ("delivery", "price", "product_quality", "staff", "wait_time"):
        mentions, positive, negative, scored = pooled[(theme, language)]
        assert positive > 0 and negative > 0, (theme, language)
        assert scored == mentions  # every language here has a scorer


@pytest.mark.parametrize("language", LANGUAGES)
def test_wait_time_draws_more_complaints_than_product_quality(generated_build, language):
    pooled = _pooled(generated_build)
    _, _, wait_negative, wait_scored = pooled[("wait_time", language)]
    _, _, product_negative, product_scored = pooled[("product_quality", language)]
    assert wait_negative / wait_scored > product_negative / product_scored
    wait_low, _ = _wilson(wait_negative, wait_scored)
    _, product_high = _wilson(product_negative, product_scored)
    assert wait_low > product_high, (wait_negative, wait_scored, product_negative, product_scored)


def test_the_published_interval_is_wilsons(generated_build):
    # The mart's own interval on one busy cell against an independent implementation.
    month, theme, language, negative, scored, low, high = generated_build.query(
        "select month, theme, language_code, negative_mentions, scored_mentions,"
        " negative_share_ci_low, negative_share_ci_high from marts.mart_theme_sentiment"
        " where negative_mentions > 0 and negative_mentions < scored_mentions"
        " order by scored_mentions desc, month, theme, language_code limit 1"
    )[0]
    expected_low, expected_high = _wilson(negative, scored)
    assert low == pytest.approx(expected_low, abs=1e-9), (month, theme, language)
    assert high == pytest.approx(expected_high, abs=1e-9)


def test_sentences_are_split_in_the_language_of_the_verbatim(generated_build):
    # A two-theme German verbatim is two sentences, each with its own polarity.
    rows = generated_build.query(
        "select sentence_text, sentence_sentiment_label"
        " from intermediate.int_survey_comment_sentences"
        " where sentence_text in ('Der Support hat innerhalb von Minuten geantwortet!',"
        " 'Viel zu lange in der Warteschleife gewartet.') group by all order by 1"
    )
    assert rows == [
        ("Der Support hat innerhalb von Minuten geantwortet!", "positive"),
        ("Viel zu lange in der Warteschleife gewartet.", "negative"),
    ]
