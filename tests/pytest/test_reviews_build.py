"""reviews/reviews on generated customers, end to end: every staged review is a
touchpoint, reviews link by order reference and by email (anonymous ones stay,
unlinked), the planted defects are quarantined with their reasons, review text is
scored as survey verbatims are, and mart_reviews_monthly reconciles with the staged
reviews, its intervals those scipy computes."""

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest
from scipy.stats import binomtest
from scipy.stats import t as student_t

from conftest import Build, build_generated
from cx.voc import score

pytestmark = pytest.mark.build

CUSTOMERS, SEED = 2_500, 11


@pytest.fixture(scope="module")
def reviews_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return build_generated(
        tmp_path_factory.mktemp("reviews"),
        CUSTOMERS,
        SEED,
        "+mart_reviews_monthly",
        "+fct_touchpoints",
        "+quarantined_rows",
        "+extract_row_counts",
    )


def _generated_lines(build: Build) -> list[dict[str, str]]:
    path = build.database.parent / "extracts" / "reviews" / "reviews.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_staged_review_is_one_touchpoint(reviews_build: Build):
    staged = reviews_build.query("select count(*) from staging.stg_reviews__reviews")[0][0]
    touchpoints = reviews_build.query(
        "select count(*), count(distinct source_record_id), min(touchpoint_type),"
        " max(touchpoint_type), min(channel_group), max(channel_group), min(journey_stage),"
        " max(journey_stage) from marts.fct_touchpoints where source_system = 'reviews'"
    )[0]
    assert staged > 300
    assert touchpoints == (
        staged,
        staged,
        "public_review",
        "public_review",
        "review",
        "review",
        "loyalty",
        "loyalty",
    )


def test_reviews_link_by_order_reference_and_by_email_and_anonymous_ones_stay(
    reviews_build: Build,
):
    rows = dict(
        reviews_build.query(
            "select coalesce(customer_link_rule, '(none)'), count(*) from marts.fct_touchpoints"
            " where source_system = 'reviews' group by all"
        )
    )
    total = sum(rows.values())
    assert rows["review_order_reference"] / total > 0.2
    assert rows["review_email"] / total > 0.05
    # Anonymous reviews (no email, no order) are touchpoints without a customer.
    anonymous = reviews_build.query(
        "select count(*), count(touchpoints.customer_id) from staging.stg_reviews__reviews"
        " as reviews inner join marts.fct_touchpoints as touchpoints"
        " on touchpoints.touchpoint_id = 'review:' || reviews.review_id"
        " where reviews.reviewer_email is null and reviews.order_reference is null"
    )[0]
    assert anonymous[0] > 0 and anonymous[1] == 0
    assert rows["(none)"] >= anonymous[0]
    # A reference to an order the CRM does not hold links nobody by it.
    foreign = reviews_build.query(
        "select count(*), count(*) filter (where fct.customer_link_rule = 'review_order_reference')"
        " from staging.stg_reviews__reviews as reviews"
        " inner join marts.fct_reviews as fct using (review_id)"
        " where reviews.order_reference is not null"
        " and reviews.order_reference not in (select order_id from staging.stg_crm__orders)"
    )[0]
    assert foreign[1] == 0


def test_the_planted_defects_are_quarantined_with_their_reasons(reviews_build: Build):
    """Counted by hand from the generated file: a rating 0 or 6 is out_of_range, 4.5
    not_an_integer, a posted_at in month 13 unparseable, one without a UTC offset
    timestamp_without_utc_offset, a platform outside the list unknown_value; lines of
    one review and moment that differ are conflicting_duplicate when they are the
    review's latest (an older version is superseded whatever it says)."""
    lines = _generated_lines(reviews_build)
    expected = Counter()
    for line in lines:
        if line["rating"] in ("0", "6"):
            expected["rating", "out_of_range"] += 1
        if line["rating"] == "4.5":
            expected["rating", "not_an_integer"] += 1
        if line["posted_at"][5:7] == "13":
            expected["posted_at", "unparseable_timestamp"] += 1
        if re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", line["posted_at"]):
            expected["posted_at", "timestamp_without_utc_offset"] += 1
        if line["platform"] not in ("shop", "trustpilot", "google"):
            expected["platform", "unknown_value"] += 1
    quarantined = Counter(
        {
            (column, reason): n
            for column, reason, n in reviews_build.query(
                "select column_name, reason, count(*) from audit.quarantined_rows"
                " where extract_name = 'reviews/reviews' group by all"
            )
        }
    )
    conflicting = quarantined.pop(("review_id", "conflicting_duplicate"), 0)
    assert quarantined == expected
    assert set(expected) == {
        ("rating", "out_of_range"),
        ("rating", "not_an_integer"),
        ("posted_at", "unparseable_timestamp"),
        ("posted_at", "timestamp_without_utc_offset"),
        ("platform", "unknown_value"),
    }
    assert conflicting >= 2 and conflicting % 2 == 0
    # Every line is staged, quarantined or superseded (edits and exact duplicates).
    read, staged, quarantined_rows, superseded = reviews_build.query(
        "select rows_read, rows_staged, rows_quarantined, rows_superseded"
        " from audit.extract_row_counts where extract_name = 'reviews/reviews'"
    )[0]
    assert read == len(lines) == staged + quarantined_rows + superseded
    assert superseded > 0


def test_review_text_is_scored_as_survey_verbatims_are(reviews_build: Build):
    rows = reviews_build.query(
        "select review_id, rating, review_text, language_code, review_sentiment,"
        " review_sentiment_label, review_themes from marts.fct_reviews"
    )
    with_text = [row for row in rows if row[2] is not None]
    assert len(with_text) > 0.8 * len(rows)
    assert all(row[5] is not None and row[6] is not None for row in with_text)
    assert all(row[4] is None and row[5] is None for row in rows if row[2] is None)
    assert {row[3] for row in with_text} == {"en", "de", "fr", "es"}
    # The same scorer as fct_survey_responses.comment_sentiment: cx.voc.score.
    for _, _, text, language, value, label, _ in with_text[:40]:
        expected_value, expected_label = score(text, language)
        assert label == expected_label
        assert value == pytest.approx(expected_value, abs=1e-12)
    themed = sum(1 for row in with_text if row[6])
    assert themed > 0.8 * len(with_text)
    happy = [row[4] for row in with_text if row[1] >= 4 and row[4] is not None]
    unhappy = [row[4] for row in with_text if row[1] <= 2 and row[4] is not None]
    assert unhappy and sum(happy) / len(happy) > sum(unhappy) / len(unhappy)


def test_the_mart_reconciles_with_the_staged_reviews(reviews_build: Build):
    staged = dict(
        reviews_build.query(
            "select platform, count(*) from staging.stg_reviews__reviews group by all"
        )
    )
    in_mart = dict(
        reviews_build.query(
            "select platform, sum(reviews) from marts.mart_reviews_monthly group by all"
        )
    )
    assert in_mart == staged
    by_month = reviews_build.query(
        "select cast(date_trunc('month', posted_at) as date), platform, count(*),"
        " sum(rating), count(*) filter (where rating >= 4), list(rating)"
        " from staging.stg_reviews__reviews group by all"
    )
    mart = {
        (row[0], row[1]): row[2:]
        for row in reviews_build.query(
            "select month, platform, reviews, mean_rating, mean_rating_ci_low,"
            " mean_rating_ci_high, four_or_five_star_reviews, four_or_five_star_share_ci_low,"
            " four_or_five_star_share_ci_high from marts.mart_reviews_monthly"
        )
    }
    for month, platform, n, rating_sum, top, ratings in by_month:
        reviews, mean, low, high, top_in_mart, share_low, share_high = mart[month, platform]
        assert (reviews, top_in_mart) == (n, top)
        assert mean == pytest.approx(rating_sum / n, abs=1e-12)
        if n >= 2:
            sd = (sum((r - mean) ** 2 for r in ratings) / (n - 1)) ** 0.5
            half = student_t.ppf(0.975, n - 1) * sd / n**0.5
            assert (low, high) == pytest.approx((mean - half, mean + half), abs=1e-7)
        else:
            assert low is None and high is None
        wilson = binomtest(top, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert (share_low, share_high) == pytest.approx((wilson.low, wilson.high), abs=1e-9)
