"""Churn and the value of experience on generated data: the effects the generator plants
(python/cx/generator.py, BAD_SUPPORT_DROPOUT and LOYALTY_SATISFACTION) are found by the
marts built for them, with intervals that exclude no effect."""

from __future__ import annotations

import math

import pytest
from scipy.stats import t as student_t

from conftest import Build, build_generated

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """20,000 generated customers (seed 7), built up to the marts once for this module."""
    return build_generated(tmp_path_factory.mktemp("churn"), 20_000, 7, "+marts")


@pytest.mark.parametrize("driver", ["reopened_ticket", "bad_rating"])
def test_customers_whose_support_went_badly_lapse_more_often(generated: Build, driver: str):
    """Measured at seed 7: reopened 51 of 72 lapsed against 1,065 of 2,607 (RR 1.73,
    1.48-2.03); bad rating 30 of 40 against 1,086 of 2,639 (RR 1.82, 1.52-2.19)."""
    ((exposed, not_exposed, rr, low, high, status),) = generated.query(
        "select lapse_rate_exposed, lapse_rate_not_exposed, relative_risk,"
        " relative_risk_ci_low, relative_risk_ci_high, relative_risk_status"
        f" from marts.mart_churn_drivers where driver = '{driver}'"
    )
    assert status == "ok"
    assert exposed > not_exposed
    assert rr == pytest.approx(exposed / not_exposed, rel=1e-9)
    assert 1 < low < rr < high


def test_the_churn_cohort_is_exposed_before_it_lapses(generated: Build):
    """Every driver row describes the same cohort and window, ending churn_lapsed_days
    (365) before the status date."""
    rows = generated.query(
        "select distinct customers, status_date - exposure_window_end_date,"
        " exposure_window_end_date - exposure_window_start_date from marts.mart_churn_drivers"
    )
    assert len(rows) == 1
    customers, gap, window = rows[0]
    assert customers > 500 and gap == 365 and window == 89
    statuses = dict(
        generated.query("select churn_status, count(*) from marts.fct_customer_churn group by 1")
    )
    assert set(statuses) == {"active", "at_risk", "lapsed"}


def _mean_and_se(row: tuple) -> tuple[float, float]:
    """A mean and its standard error, read back from the t interval the mart publishes."""
    mean, n, _, high = row
    return mean, (high - mean) / student_t.ppf(0.975, n - 1)


def test_promoters_spend_more_after_answering_than_detractors(generated: Build):
    """Revenue per customer in the 365 days after the first NPS answer, customers observed
    that long. Measured at seed 7: promoters 205.6 (t interval 183.7-227.5), detractors
    103.4 (90.7-116.1)."""
    groups = {
        group: (mean, n, low, high)
        for group, mean, n, low, high in generated.query(
            "select experience_group, revenue_per_customer_365d_usd,"
            " revenue_per_customer_365d_usd_n, revenue_per_customer_365d_usd_ci_low,"
            " revenue_per_customer_365d_usd_ci_high from marts.mart_experience_value"
            " where experience = 'nps_category'"
        )
    }
    promoters, promoter_se = _mean_and_se(groups["promoter"])
    detractors, detractor_se = _mean_and_se(groups["detractor"])
    # The difference of two independent means, normal at these n (hundreds each).
    difference = promoters - detractors
    half_width = 1.959963984540054 * math.sqrt(promoter_se**2 + detractor_se**2)
    assert difference - half_width > 0
    # Only customers observed for the whole 365 days count; the rest are counted apart.
    ((customers, observed, unobserved),) = generated.query(
        "select customers, customers_observed_365d, customers_unobserved_365d"
        " from marts.mart_experience_value"
        " where experience = 'nps_category' and experience_group = 'promoter'"
    )
    assert observed == groups["promoter"][1] and unobserved > 0
    assert observed + unobserved == customers
