"""What the quality gate expects of each published mart.

One suite per mart, in code, reviewed in diffs. No threshold depends on the
size of the data: ranges come from the metric definitions, time limits from
the run's clock. Enum lists are read from the dbt project (its vars and the
journey stages seed), the same lists dbt's accepted_values tests read.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import cache
from typing import Any

import yaml

from cx import paths


@cache
def dbt_vars() -> dict[str, Any]:
    """The vars of ``dbt_project.yml``."""
    project = yaml.safe_load((paths.REPO_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["vars"]


def enum(name: str) -> list[str]:
    """A list var of the dbt project, such as ``segments`` or ``survey_types``."""
    values = dbt_vars()[name]
    if not isinstance(values, list) or not values:
        raise ValueError(f"dbt_project.yml: vars.{name} is not a list of values")
    return [str(value) for value in values]


@cache
def journey_stages() -> list[str]:
    """The journey stages in their order, from the seed ``lookups/journey_stages.csv``."""
    path = paths.REPO_ROOT / "seeds" / "lookups" / "journey_stages.csv"
    with path.open(encoding="utf-8", newline="") as lines:
        rows = list(csv.DictReader(lines))
    return [row["journey_stage"] for row in sorted(rows, key=lambda row: int(row["stage_order"]))]


@cache
def comment_themes() -> list[str]:
    """The verbatim themes, from the seed ``lookups/comment_themes.csv``."""
    path = paths.REPO_ROOT / "seeds" / "lookups" / "comment_themes.csv"
    with path.open(encoding="utf-8", newline="") as lines:
        return sorted({row["theme"] for row in csv.DictReader(lines)})


def _expectations() -> Any:
    import great_expectations as gx

    return gx.expectations


def mart_suites(now: dt.datetime) -> dict[str, list[Any]]:
    """One suite per published mart. ``now`` (UTC) bounds every timestamp."""
    e = _expectations()
    stages = journey_stages()
    nps_categories = enum("nps_categories")

    def key(*columns: str) -> list[Any]:
        checks = [e.ExpectColumnValuesToNotBeNull(column=c) for c in columns]
        if len(columns) == 1:
            checks.append(e.ExpectColumnValuesToBeUnique(column=columns[0]))
        else:
            checks.append(e.ExpectCompoundColumnsToBeUnique(column_list=list(columns)))
        return checks

    def between(column: str, low: Any = None, high: Any = None, strict: bool = False) -> Any:
        return e.ExpectColumnValuesToBeBetween(
            column=column, min_value=low, max_value=high, strict_min=strict
        )

    def one_of(column: str, values: list[str]) -> Any:
        return e.ExpectColumnValuesToBeInSet(column=column, value_set=values)

    def not_future(*columns: str) -> list[Any]:
        # The column's latest value: one aggregate says what "no value is in the
        # future" says (for_zero_rows swaps in the per-value form on empty marts).
        return [e.ExpectColumnMaxToBeBetween(column=c, max_value=now) for c in columns]

    def holds(columns: list[str]) -> Any:
        return e.ExpectTableColumnsToMatchSet(column_set=columns, exact_match=False)

    def ordered(low: str, high: str) -> Any:
        return e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=high, column_B=low, or_equal=True, ignore_row_if="either_value_is_missing"
        )

    def nps_block() -> list[Any]:
        # The adjusted-Wald interval is centred on the adjusted NPS, so the plain
        # NPS may lie outside it on small samples: the bounds are ordered with
        # each other, not with the NPS.
        return [
            between("nps", -100, 100),
            between("nps_ci_low", -100, 100),
            between("nps_ci_high", -100, 100),
            # Adjusted-Wald: never zero width; centred on the adjusted estimate, so a
            # single promoter or detractor's NPS (+-100) may lie outside it.
            between("nps_std_error", 0, 100, strict=True),
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="nps_ci_high",
                column_B="nps_ci_low",
                ignore_row_if="either_value_is_missing",
            ),
            one_of("survey_type", enum("nps_survey_types")),
            e.ExpectColumnValuesToNotBeNull(column="is_small_sample"),
        ]

    def rate_block(rate: str) -> list[Any]:
        # A rate, its n and its Wilson interval (rate_columns in macros/metrics).
        return [
            between(rate, 0, 1),
            between(f"{rate}_ci_low", 0, 1),
            between(f"{rate}_ci_high", 0, 1),
            ordered(f"{rate}_ci_low", f"{rate}_ci_high"),
            between(f"{rate}_n", 0),
            e.ExpectColumnValuesToNotBeNull(column=f"{rate}_is_small_sample"),
        ]

    return {
        "dim_customers": [
            holds(["customer_id", "contact_id", "email", "segment", "country",
                   "acquisition_channel", "first_seen_at", "lifecycle_stage",
                   "current_journey_stage", "latest_nps_category"]),
            *key("customer_id"),
            one_of("segment", enum("segments")),
            one_of("current_journey_stage", stages),
            one_of("latest_nps_category", nps_categories),
            e.ExpectColumnValuesToNotBeNull(column="first_seen_at"),
            *not_future("first_seen_at"),
        ],
        "fct_touchpoints": [
            holds(["touchpoint_id", "customer_id", "occurred_at", "source_system", "channel",
                   "touchpoint_type", "journey_stage"]),
            *key("touchpoint_id"),
            one_of("source_system", enum("touchpoint_source_systems")),
            one_of("journey_stage", stages),
            between("stage_order", 1, len(stages)),
            e.ExpectColumnValuesToNotBeNull(column="occurred_at"),
            *not_future("occurred_at"),
        ],
        "fct_customer_journeys": [
            holds(["customer_id", "journey_stage", "stage_order", "entered_at", "exited_at",
                   "touchpoints_in_stage"]),
            *key("customer_id", "journey_stage"),
            one_of("journey_stage", stages),
            between("stage_order", 1, len(stages)),
            between("touchpoints_in_stage", 1),
            ordered("entered_at", "exited_at"),
            *not_future("entered_at", "exited_at"),
        ],
        "mart_journey_funnel": [
            holds(["journey_stage", "stage_order", "customers_ever_reached",
                   "customers_reached_in_order", "conversion_from_previous",
                   "conversion_from_previous_n", "conversion_from_previous_ci_low",
                   "conversion_from_previous_ci_high", "conversion_from_previous_is_small_sample",
                   "median_days_to_reach"]),
            *key("journey_stage"),
            e.ExpectTableRowCountToEqual(value=len(stages)),
            ordered("customers_reached_in_order", "customers_ever_reached"),
            *rate_block("conversion_from_previous"),
            between("median_days_to_reach", 0),
        ],
        "mart_journey_paths": [
            holds(["path_level", "path", "steps", "customers", "purchasers",
                   "purchasers_without_another_step", "conversion_rate", "conversion_rate_n",
                   "conversion_rate_ci_low", "conversion_rate_ci_high",
                   "conversion_rate_is_small_sample", "median_days_to_first_purchase"]),
            *key("path_level", "path"),
            one_of("path_level", enum("journey_path_levels")),
            between("steps", 0, 4),
            ordered("purchasers", "customers"),
            ordered("purchasers_without_another_step", "purchasers"),
            *rate_block("conversion_rate"),
        ],
        "fct_support_tickets": [
            holds(["ticket_id", "customer_id", "created_at", "channel", "priority", "status",
                   "first_reply_minutes", "full_resolution_minutes", "reopens", "is_one_touch",
                   "satisfaction_rating"]),
            *key("ticket_id"),
            one_of("status", enum("ticket_statuses")),
            one_of("satisfaction_rating", enum("satisfaction_ratings")),
            between("first_reply_minutes", 0),
            between("full_resolution_minutes", 0),
            between("reopens", 0),
            *not_future("created_at"),
        ],
        "mart_support_monthly": [
            holds(["month", "channel", "is_partial_period", "tickets", "one_touch_rate",
                   "helpdesk_csat"]),
            *key("month", "channel"),
            *rate_block("helpdesk_csat"),
            *rate_block("one_touch_rate"),
            ordered("solved_tickets", "tickets"),
            e.ExpectColumnValuesToNotBeNull(column="is_partial_period"),
        ],
        "fct_survey_responses": [
            holds(["response_id", "customer_id", "survey_type", "responded_at", "nps_score",
                   "nps_category", "csat_score", "ces_score", "comment_sentiment",
                   "comment_sentiment_label", "comment_sentiment_scored_chars",
                   "is_comment_sentiment_on_prefix", "comment_themes"]),
            *key("response_id"),
            one_of("survey_type", enum("survey_types")),
            between("nps_score", 0, 10),
            between("csat_score", 1, 5),
            between("ces_score", 1, 7),
            one_of("nps_category", nps_categories),
            between("comment_sentiment", -1, 1),
            one_of("comment_sentiment_label", enum("sentiment_labels")),
            *not_future("responded_at"),
        ],
        "mart_nps_monthly": [
            holds(["month", "segment", "survey_type", "is_partial_period", "responses",
                   "promoters", "passives", "detractors", "nps", "nps_std_error", "nps_ci_low",
                   "nps_ci_high", "is_small_sample"]),
            *key("month", "segment", "survey_type"),
            between("responses", 0),
            *nps_block(),
            e.ExpectColumnValuesToNotBeNull(column="is_partial_period"),
        ],
        "mart_csat_ces_monthly": [
            holds(["month", "is_partial_period", "csat_responses", "survey_csat_share",
                   "ces_responses", "ces_mean", "ces_easy_share"]),
            *key("month"),
            *rate_block("survey_csat_share"),
            between("ces_mean", 1, 7),
            *rate_block("ces_easy_share"),
            e.ExpectColumnValuesToNotBeNull(column="is_partial_period"),
        ],
        "mart_survey_exclusions": [*key("survey_type", "reason"), between("responses", 1)],
        "mart_theme_sentiment": [
            holds(["month", "is_partial_period", "theme", "language_code", "mentions",
                   "responses_mentioning", "scored_mentions", "unscored_mentions",
                   "positive_mentions", "neutral_mentions", "negative_mentions"]),
            *key("month", "theme", "language_code"),
            one_of("theme", comment_themes()),
            one_of("language_code", enum("languages")),
            *[between(c, 0) for c in ("mentions", "responses_mentioning", "scored_mentions",
                                       "unscored_mentions", "positive_mentions",
                                       "neutral_mentions", "negative_mentions")],
            ordered("negative_mentions", "scored_mentions"),
            ordered("scored_mentions", "mentions"),
            ordered("responses_mentioning", "mentions"),
            *rate_block("negative_share"),
            e.ExpectColumnValuesToNotBeNull(column="is_partial_period"),
        ],
        "mart_nps_drivers": [*key("response_id"), between("nps_score", 0, 10),
                             between("tickets_30d", 0)],
        "mart_nps_driver_summary": [*key("driver", "is_exposed", "survey_type"), *nps_block()],
        "fct_customer_value": [
            holds(["customer_id", "orders", "historical_revenue_usd", "first_order_at",
                   "last_order_at", "p_alive", "expected_purchases_12m",
                   "expected_order_value_usd", "predicted_clv_12m_usd"]),
            *key("customer_id"),
            between("orders", 1),
            between("historical_revenue_usd", 0),
            between("p_alive", 0, 1),
            between("expected_purchases_12m", 0),
            between("predicted_clv_12m_usd", 0),
            ordered("first_order_at", "last_order_at"),
            *not_future("first_order_at", "last_order_at"),
        ],
        "mart_cohort_retention": [
            holds(["cohort_month", "months_since_first_order", "cohort_customers",
                   "active_customers", "retention_rate", "revenue_usd"]),
            *key("cohort_month", "months_since_first_order"),
            *rate_block("retention_rate"),
            ordered("active_customers", "cohort_customers"),
            between("revenue_usd", 0),
        ],
        "mart_clv_model_fit": [
            *key("model", "parameter"),
            one_of("model", enum("clv_models")),
            e.ExpectTableRowCountToEqual(value=9),
            between("value", 0),
        ],
    }  # fmt: skip


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
