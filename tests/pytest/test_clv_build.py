"""CLV through the whole pipeline: CDNOW end to end, the backtest, small and odd data."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import REPO, TINY, Build, build_env, dbt_build
from cx.datasets import read_cdnow, write_cdnow_extracts
from cx.generator import BGNBD_TRUTH, GAMMA_GAMMA_TRUTH, generate
from cx.paths import CDNOW_SAMPLE

pytestmark = pytest.mark.build

CX = Path(sys.executable).with_name("cx")


@pytest.fixture(scope="module")
def cdnow_extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cdnow") / "extracts"
    write_cdnow_extracts(CDNOW_SAMPLE, out)
    return out


def _fit(build: Build) -> dict[tuple[str, str], tuple]:
    return {
        (model, parameter): (value, log_likelihood, customers, observation_end, converged)
        for model, parameter, value, log_likelihood, customers, observation_end, converged in (
            build.query(
                "select model, parameter, value, log_likelihood, customers, observation_end,"
                " converged from marts.mart_clv_model_fit"
            )
        )
    }


def test_cdnow_through_the_pipeline_reproduces_the_published_parameters(tmp_path, cdnow_extracts):
    build = dbt_build(
        tmp_path,
        cdnow_extracts,
        "--select",
        "+marts",
        "--indirect-selection",
        "buildable",
        CX_CLV_OBSERVATION_END="1997-09-30",
    )
    assert build.returncode == 0, build.output
    fit = _fit(build)
    expected = {
        ("bg_nbd", "r"): 0.2426,
        ("bg_nbd", "alpha"): 4.4136,
        ("bg_nbd", "a"): 0.7929,
        ("bg_nbd", "b"): 2.4259,
        ("gamma_gamma", "p"): 6.25,
        ("gamma_gamma", "q"): 3.74,
        ("gamma_gamma", "gamma"): 15.44,
    }
    for key, value in expected.items():
        assert fit[key][0] == pytest.approx(value, abs=0.006), key
        assert fit[key][3] == dt.date(1997, 9, 30)
        assert fit[key][4] is True
    assert fit[("bg_nbd", "r")][1] == pytest.approx(-9582.43, abs=0.01)
    assert fit[("bg_nbd", "r")][2] == 2357
    assert fit[("gamma_gamma", "p")][1] == pytest.approx(-4055.92, abs=0.01)
    assert fit[("gamma_gamma", "p")][2] == 946
    # Historical value stops at the observation end too: every purchase line until then.
    lines = [(d, v) for _, d, v in read_cdnow(CDNOW_SAMPLE) if d <= dt.date(1997, 9, 30)]
    orders, revenue = build.query(
        "select sum(orders), sum(historical_revenue_usd) from marts.fct_customer_value"
    )[0]
    assert orders == len(lines)
    assert revenue == round(sum(Decimal(f"{v:.2f}") for _, v in lines), 2)


def test_backtest_on_the_cdnow_holdout_is_near_the_paper(tmp_path, cdnow_extracts):
    env = build_env(tmp_path, cdnow_extracts)
    completed = subprocess.run(
        [str(CX), "backtest", "--observation-end", "1997-09-30",
         "--database", str(tmp_path / "backtest.duckdb")],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    report = completed.stdout
    assert re.search(r"holdout\s+39\.0 weeks", report)
    assert re.search(r"repeat purchases in holdout, actual\s+1,882", report)
    correlation = float(re.search(r"predicted vs actual\s+([0-9.]+)", report).group(1))
    assert correlation == pytest.approx(0.63, abs=0.01)
    cumulative = float(re.search(r"expected\s+[0-9,.]+ \(([-+0-9.]+)%\)", report).group(1))
    assert cumulative == pytest.approx(-4.0, abs=0.5)


def test_a_handful_of_customers_builds_with_null_predictions_and_a_reason(tiny_build: Build):
    assert tiny_build.query(
        "select customer_id, orders, historical_revenue_usd, first_order_at, last_order_at,"
        " p_alive, predicted_clv_12m_usd, prediction_status from marts.fct_customer_value"
    ) == [
        (
            "C001",
            1,
            Decimal("100.50"),
            dt.datetime(2025, 2, 1, 15, 0),
            dt.datetime(2025, 2, 1, 15, 0),
            None,
            None,
            "bg_nbd: not fitted: 1 customers; BG/NBD needs at least 20",
        )
    ]
    assert tiny_build.query(
        "select count(*), count(value), bool_or(converged) from marts.mart_clv_model_fit"
    ) == [(9, 0, False)]


def test_cohort_retention_by_hand(tiny_build: Build):
    # C001's only completed order (O1, 100.50 USD); the refund (O2) and the orphan (O3) count not.
    assert tiny_build.query(
        "select cohort_month, months_since_first_order, cohort_customers, active_customers,"
        " retention_rate, retention_rate_n, retention_rate_is_small_sample, revenue_usd"
        " from marts.mart_cohort_retention"
    ) == [(dt.date(2025, 2, 1), 0, 1, 1, 1.0, 1, True, Decimal("100.50"))]
    # Wilson, 1 of 1: low = 1 - z^2 / (1 + z^2) = 1 - 3.841459 / 4.841459 = 0.206549, high 1.
    ((low, high),) = tiny_build.query(
        "select retention_rate_ci_low, retention_rate_ci_high from marts.mart_cohort_retention"
    )
    assert (low, high) == pytest.approx((0.206549, 1.0), abs=1e-6)


def test_a_malformed_observation_end_stops_the_build_with_the_expected_format(tmp_path):
    build = dbt_build(tmp_path, TINY, CX_CLV_OBSERVATION_END="30/09/1997")
    assert build.returncode != 0
    assert 'CX_CLV_OBSERVATION_END must be a date as YYYY-MM-DD, got "30/09/1997"' in build.output


def test_generated_buyers_recover_the_generating_parameters(tmp_path):
    """The generator buys as BG/NBD and Gamma-Gamma say; the fit finds that again.

    Only completed orders count, 88% of all orders, so the fitted purchase rate is the
    true rate thinned to 88%. Spend is scaled by segment and converted from three
    currencies, which widens the spread between customers: q comes out lower.
    Measured at 8,000 customers: dropout 0.264 (truth 0.255), rate 0.0537 (thinned
    truth 0.0545), p 5.38 (6), q 2.81 (3.5)."""
    generate(tmp_path / "extracts", customers=8000, seed=5)
    build = dbt_build(
        tmp_path, tmp_path / "extracts", "--select", "+marts", "--indirect-selection", "buildable"
    )
    assert build.returncode == 0, build.output
    fit = {key: value[0] for key, value in _fit(build).items()}
    dropout = fit[("bg_nbd", "a")] / (fit[("bg_nbd", "a")] + fit[("bg_nbd", "b")])
    truth_dropout = BGNBD_TRUTH["a"] / (BGNBD_TRUTH["a"] + BGNBD_TRUTH["b"])
    rate = fit[("bg_nbd", "r")] / fit[("bg_nbd", "alpha")]
    truth_rate = BGNBD_TRUTH["r"] / BGNBD_TRUTH["alpha"]
    assert dropout == pytest.approx(truth_dropout, abs=0.04)
    assert rate == pytest.approx(0.88 * truth_rate, rel=0.1)
    assert fit[("gamma_gamma", "p")] == pytest.approx(GAMMA_GAMMA_TRUTH["p"], rel=0.2)
    assert fit[("gamma_gamma", "q")] == pytest.approx(GAMMA_GAMMA_TRUTH["q"], rel=0.3)
