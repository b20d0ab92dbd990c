"""What the quality gate expects of each published mart.

One suite per mart, in code, reviewed in diffs. No threshold depends on the
size of the data: ranges come from the metric definitions, time limits from
the run's clock. A rule a dbt test already checks is not checked again here
(``mart_suites`` says why). The journey stages come from the dbt project's seed.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import cache
from typing import Any

from cx import paths


@cache
def journey_stages() -> list[str]:
    """The journey stages in their order, from the seed ``lookups/journey_stages.csv``."""
    path = paths.REPO_ROOT / "seeds" / "lookups" / "journey_stages.csv"
    with path.open(encoding="utf-8", newline="") as lines:
        rows = list(csv.DictReader(lines))
    return [row["journey_stage"] for row in sorted(rows, key=lambda row: int(row["stage_order"]))]


def _expectations() -> Any:
    import great_expectations as gx

    return gx.expectations


def mart_suites(now: dt.datetime) -> dict[str, list[Any]]:
    """One suite per published mart: only what no dbt test checks. ``now`` (UTC)
    bounds every timestamp.

    ``dbt build`` runs every data test, unit test and contract before the gate, and a
    failure stops the run, so the gate repeats none of them: keys (``unique``,
    ``not_null``, ``unique_combination``), enums (``accepted_values``,
    ``relationships``), the ``rate_with_interval`` test of every rate, the
    ``expression_is_true`` ranges and the columns a mart's enforced contract holds
    (``tests/pytest/test_gate.py`` fails on a rule checked twice). What stays is what
    the dbt project does not check: no timestamp later than the gate's own clock,
    row counts the seeds fix, orders and ranges no dbt test states. Each of them
    also gives Data Docs with example values.
    """
    e = _expectations()
    stages = journey_stages()
    nps_types = ["relationship_nps", "transactional_nps"]

    def between(column: str, low: Any = None, high: Any = None) -> Any:
        return e.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high)

    def not_future(*columns: str) -> list[Any]:
        # The column's latest value: one aggregate says what "no value is in the
        # future" says (for_zero_rows swaps in the per-value form on empty marts).
        return [e.ExpectColumnMaxToBeBetween(column=c, max_value=now) for c in columns]

    def ordered(low: str, high: str) -> Any:
        return e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=high, column_B=low, or_equal=True, ignore_row_if="either_value_is_missing"
        )

    def rate_n(rate: str) -> Any:
        # rate_with_interval checks the rest of rate_columns' output; not that n >= 0.
        return between(f"{rate}_n", 0)

    def nps_std_error() -> Any:
        # dbt's NPS tests bound the standard error below (> 0), not above.
        return between("nps_std_error", high=100)

    def mean_block(mean: str) -> list[Any]:
        # mean_columns: no dbt test states that the interval brackets the mean.
        return [
            ordered(f"{mean}_ci_low", mean),
            ordered(mean, f"{mean}_ci_high"),
            between(f"{mean}_n", 0),
        ]

    def nps_by_type(survey_type: str) -> list[Any]:
        # nps_columns_by_survey_type: the interval brackets nothing dbt checks here.
        return [
            between(survey_type, -100, 100),
            ordered(f"{survey_type}_ci_low", f"{survey_type}_ci_high"),
            between(f"{survey_type}_std_error", 0, 100),
        ]

    def help_desk() -> list[Any]:
        # ticket_performance_counts / _rates, per agent or team and month.
        return [
            ordered("solved_tickets", "tickets_assigned"),
            between("median_first_reply_minutes", 0),
            between("median_full_resolution_minutes", 0),
            rate_n("one_touch_rate"),
            rate_n("reopen_rate"),
            rate_n("helpdesk_csat"),
            *(check for t in nps_types for check in nps_by_type(t)),
        ]

    return {
        "dim_customers": [*not_future("first_seen_at")],
        "fct_touchpoints": [between("stage_order", 1, len(stages)), *not_future("occurred_at")],
        "fct_customer_journeys": [
            between("stage_order", 1, len(stages)),
            between("touchpoints_in_stage", 1),
            *not_future("entered_at", "exited_at"),
        ],
        "mart_journey_funnel": [
            # One row per stage of the journey_stages seed.
            e.ExpectTableRowCountToEqual(value=len(stages)),
            rate_n("conversion_from_previous"),
            # dbt's rate test skips the first stage, which has no previous one.
            e.ExpectColumnValuesToNotBeNull(column="conversion_from_previous_is_small_sample"),
            between("median_days_to_reach", 0),
        ],
        "mart_journey_paths": [ordered("purchasers", "customers"), rate_n("conversion_rate")],
        "fct_support_tickets": [*not_future("created_at")],
        "mart_support_monthly": [
            rate_n("helpdesk_csat"),
            rate_n("one_touch_rate"),
            ordered("solved_tickets", "tickets"),
        ],
        "dim_agents": [],
        "mart_agent_performance": [*help_desk()],
        "mart_team_performance": [*help_desk()],
        "mart_stage_experience": [
            rate_n("survey_csat_share"),
            rate_n("ces_easy_share"),
            between("ces_mean", 1, 7),
            *mean_block("ces_mean"),
            between("comment_sentiment_mean", -1, 1),
            *mean_block("comment_sentiment_mean"),
            between("tickets_per_customer", 0),
            *mean_block("tickets_per_customer"),
            *(check for t in nps_types for check in nps_by_type(t)),
        ],
        # dbt states the counts' order and the revenue mean's interval.
        "mart_channel_mix": [rate_n("conversion_rate"), between("revenue_per_customer_usd_n", 0)],
        "mart_channel_transitions": [rate_n("customer_share")],
        # dbt states the ranges and the 90-day counts' order.
        "fct_customer_churn": [*not_future("last_order_at")],
        "mart_churn_drivers": [
            rate_n("lapse_rate_exposed"),
            rate_n("lapse_rate_not_exposed"),
            ordered("relative_risk_ci_low", "relative_risk_ci_high"),
        ],
        "mart_experience_value": [
            ordered("customers_observed_90d", "customers"),
            rate_n("retention_90d"),
            rate_n("retention_365d"),
            *mean_block("revenue_per_customer_90d_usd"),
            *mean_block("revenue_per_customer_365d_usd"),
            *mean_block("orders_per_customer_90d"),
            *mean_block("orders_per_customer_365d"),
            *mean_block("predicted_clv_12m_per_customer_usd"),
        ],
        "fct_survey_responses": [
            between("nps_score", 0, 10),
            between("csat_score", 1, 5),
            between("ces_score", 1, 7),
            *not_future("responded_at"),
        ],
        "mart_nps_monthly": [between("responses", 0), nps_std_error()],
        "mart_csat_ces_monthly": [rate_n("survey_csat_share"), rate_n("ces_easy_share")],
        "mart_survey_exclusions": [
            e.ExpectColumnValuesToNotBeNull(column="survey_type"),
            between("responses", 1),
        ],
        # Mention counts: no dbt test states how they nest.
        "mart_theme_sentiment": [
            ordered("negative_mentions", "scored_mentions"),
            ordered("scored_mentions", "mentions"),
            ordered("responses_mentioning", "mentions"),
            rate_n("negative_share"),
        ],
        # A review's latest version is written when it is posted or later.
        "fct_reviews": [*not_future("posted_at", "updated_at"), ordered("posted_at", "updated_at")],
        "mart_reviews_monthly": [
            # dbt states reviews = both n and the 4-5 stars at most reviews; not n >= 0.
            between("reviews", 0),
            rate_n("four_or_five_star_share"),
            *mean_block("mean_rating"),
        ],
        "mart_nps_drivers": [between("nps_score", 0, 10), between("tickets_30d", 0)],
        "mart_nps_driver_summary": [between("nps", -100, 100), nps_std_error()],
        "fct_customer_value": [*not_future("first_order_at", "last_order_at")],
        "mart_cohort_retention": [between("revenue_usd", 0)],
        "mart_clv_model_fit": [
            # One row per parameter: r, alpha, a, b, a/(a+b) (BG/NBD); p, q, gamma, q/gamma.
            e.ExpectTableRowCountToEqual(value=9),
        ],
    }


def for_zero_rows(expectations: list[Any]) -> list[Any]:
    """The same claims, in the form that holds for a mart with no rows.

    ``not_future`` checks a column's maximum, because GX checks the maximum in
    one vectorised step. The maximum of no values is undefined, and GX fails it;
    "every value is at most X", the claim it stands for, holds for zero rows. A
    header-only extract (allowed by the contract) leaves its marts empty, and
    they must still publish.
    """
    e = _expectations()
    checks = []
    for expectation in expectations:
        kwargs = expectation.configuration.kwargs
        if expectation.expectation_type == "expect_column_max_to_be_between":
            expectation = e.ExpectColumnValuesToBeBetween(
                column=kwargs["column"],
                min_value=kwargs.get("min_value"),
                max_value=kwargs.get("max_value"),
            )
        checks.append(expectation)
    return checks
