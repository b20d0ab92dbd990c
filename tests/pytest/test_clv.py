"""BG/NBD and Gamma-Gamma: published results and hand-computed values."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from cx import clv
from cx.clv_pipeline import fit_table, predictions_table
from cx.datasets import read_cdnow
from cx.paths import CDNOW_SAMPLE

PAPER = clv.BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)


@pytest.fixture(scope="module")
def cdnow_calibration() -> dict[str, np.ndarray]:
    """CDNOW summarised as the warehouse does it: per distinct day, weeks, to 1997-09-30."""
    end = dt.date(1997, 9, 30)
    days: dict[str, dict[dt.date, float]] = {}
    for customer, purchased, dollars in read_cdnow(CDNOW_SAMPLE):
        if purchased <= end:
            spend = days.setdefault(customer, {})
            spend[purchased] = spend.get(purchased, 0.0) + dollars
    x, t_x, age, monetary = [], [], [], []
    for spend in days.values():
        ordered = sorted(spend)
        x.append(len(ordered) - 1)
        t_x.append((ordered[-1] - ordered[0]).days / 7)
        age.append((end - ordered[0]).days / 7)
        repeat = [spend[day] for day in ordered[1:]]
        monetary.append(sum(repeat) / len(repeat) if repeat else np.nan)
    return {name: np.array(values) for name, values in
            {"x": x, "t_x": t_x, "age": age, "m": monetary}.items()}  # fmt: skip


def test_cdnow_calibration_matches_the_published_counts(cdnow_calibration):
    assert cdnow_calibration["x"].size == 2357
    assert cdnow_calibration["x"].sum() == 2457


def test_bgnbd_reproduces_fader_hardie_lee_2005(cdnow_calibration):
    data = cdnow_calibration
    fit = clv.fit_bgnbd(data["x"], data["t_x"], data["age"])
    assert fit.converged
    assert fit.params.r == pytest.approx(0.2426, abs=5e-4)
    assert fit.params.alpha == pytest.approx(4.4136, abs=5e-3)
    assert fit.params.a == pytest.approx(0.7929, abs=5e-4)
    assert fit.params.b == pytest.approx(2.4259, abs=5e-3)
    assert fit.log_likelihood == pytest.approx(-9582.43, abs=0.01)


def test_gamma_gamma_reproduces_the_published_fit(cdnow_calibration):
    data = cdnow_calibration
    fit = clv.fit_gamma_gamma(data["x"], data["m"])
    assert fit.converged
    assert fit.customers == 946
    assert fit.params.p == pytest.approx(6.25, abs=0.005)
    assert fit.params.q == pytest.approx(3.74, abs=0.005)
    assert fit.params.gamma == pytest.approx(15.44, abs=0.01)
    assert fit.log_likelihood == pytest.approx(-4055.92, abs=0.01)


def test_grouped_histories_give_the_same_likelihood(cdnow_calibration):
    data = cdnow_calibration
    triples, counts = np.unique(
        np.column_stack([data["x"], data["t_x"], data["age"]]), axis=0, return_counts=True
    )
    grouped = clv.bgnbd_log_likelihood(PAPER, *triples.T, weights=counts)
    assert grouped == pytest.approx(
        clv.bgnbd_log_likelihood(PAPER, data["x"], data["t_x"], data["age"])
    )
    assert triples.shape[0] < data["x"].size


def test_p_alive_by_hand():
    # 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x))
    # = 1 / (1 + 0.793/3.426 * (43.274/34.844)^2.243) = 1 / (1 + 0.231466 * 1.625775) = 0.72658
    assert clv.p_alive(PAPER, [2], [30.43], [38.86])[0] == pytest.approx(0.72658, abs=1e-5)
    # Nobody has dropped out before a repeat purchase.
    assert clv.p_alive(PAPER, [0, 0], [0, 0], [5, 38]).tolist() == [1.0, 1.0]


def test_expected_purchases_match_the_papers_worked_example():
    # FHL (2005), section 4: x = 2, t_x = 30.43, T = 38.86 -> 1.226 purchases in 39 weeks.
    assert clv.expected_purchases(PAPER, 39, [2], [30.43], [38.86])[0] == pytest.approx(
        1.226, abs=5e-4
    )
    assert clv.expected_purchases(PAPER, 0, [2], [30.43], [38.86])[0] == 0


def test_expected_order_value_by_hand():
    params = clv.GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
    # (gamma + m x) p / (p x + q - 1) = (15.44 + 60) * 6.25 / (12.5 + 2.74) = 30.9383
    # x = 0: the population mean p gamma / (q - 1) = 96.5 / 2.74 = 35.2190
    values = clv.expected_order_value(params, [2, 0], [30.0, np.nan])
    assert values == pytest.approx([30.9383, 35.2190], abs=1e-4)


def test_clv_discounts_each_month_at_its_end():
    # Two purchases a month worth 10 each: 20/1.01 + 20/1.01^2 + 20/1.01^3 = 58.8197
    value = clv.discounted_value(
        lambda weeks: np.array([weeks / clv.WEEKS_PER_MONTH * 2.0]), [10.0], 3, 0.01
    )
    assert value[0] == pytest.approx(58.8197, abs=1e-4)


def test_cumulative_tracking_curve_starts_at_zero_and_grows():
    curve = clv.expected_cumulative_purchases(PAPER, [0.0, 39.0, 78.0])
    assert curve[0] == pytest.approx(0.0)
    assert 0 < curve[1] < curve[2]


@pytest.mark.parametrize(
    ("x", "reason"),
    [
        ([0] * 3, "3 customers; BG/NBD needs at least 20"),
        ([0] * 50, "0 customers bought more than once"),
    ],
)
def test_bgnbd_refuses_data_that_cannot_identify_it(x, reason):
    n = len(x)
    with pytest.raises(clv.InsufficientData, match=reason):
        clv.fit_bgnbd(x, [0] * n, [10] * n)


def test_gamma_gamma_refuses_spend_without_spread():
    with pytest.raises(clv.InsufficientData, match="no spread"):
        clv.fit_gamma_gamma([1, 2, 3, 1, 2], [20.0] * 5)


def _summary(x, t_x, age, spend) -> pa.Table:
    n = len(x)
    return pa.table(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "frequency": pa.array(x, pa.int64()),
            "recency_weeks": pa.array(t_x, pa.float64()),
            "age_weeks": pa.array(age, pa.float64()),
            "monetary_repeat_usd": pa.array(spend, pa.float64()),
            "observation_end": pa.array([dt.date(2025, 1, 1)] * n, pa.date32()),
            "holdout_weeks": pa.array([0.0] * n, pa.float64()),
        }
    )


def test_empty_data_gives_unfitted_rows_and_empty_predictions():
    summary = _summary([], [], [], [])
    fit = fit_table(summary)
    assert fit.num_rows == 7
    assert fit.column("value").null_count == 7
    assert set(fit.column("status").to_pylist()) == {
        "not fitted: 0 customers; BG/NBD needs at least 20",
        "not fitted: 0 customers bought again with a positive spend; Gamma-Gamma needs at least 5",
    }
    assert predictions_table(summary, fit).num_rows == 0


def test_nobody_buying_twice_gives_null_predictions_with_the_reason():
    summary = _summary([0] * 30, [0.0] * 30, [10.0] * 30, [None] * 30)
    predictions = predictions_table(summary, fit_table(summary))
    assert predictions.column("p_alive").null_count == 30
    assert set(predictions.column("prediction_status").to_pylist()) == {
        "bg_nbd: not fitted: 0 customers bought more than once; BG/NBD needs at least 5"
    }


def test_zero_spend_keeps_purchase_predictions_but_no_value():
    rng = np.random.default_rng(3)
    n = 200
    x = rng.integers(0, 4, n)
    age = rng.uniform(10, 40, n)
    t_x = np.where(x > 0, age * rng.uniform(0, 1, n), 0.0)
    summary = _summary(x.tolist(), t_x.tolist(), age.tolist(), [0.0] * n)
    predictions = predictions_table(summary, fit_table(summary))
    assert predictions.column("p_alive").null_count == 0
    assert predictions.column("predicted_clv_usd").null_count == n
    assert (
        predictions.column("prediction_status")[0]
        .as_py()
        .startswith("gamma_gamma: not fitted: 0 customers bought again with a positive spend")
    )


def test_fit_recovers_the_parameters_of_simulated_buyers():
    """Buyers simulated exactly as BG/NBD and Gamma-Gamma describe them (cx.bench_clv)."""
    from cx.bench_clv import SUMMARY_SQL, simulate_orders
    from cx.generator import BGNBD_TRUTH, GAMMA_GAMMA_TRUTH

    with duckdb.connect() as con:
        con.register("orders", simulate_orders(20_000, seed=1))
        summary = con.sql(SUMMARY_SQL).to_arrow_table()
    fit = {(row["model"], row["parameter"]): row["value"] for row in fit_table(summary).to_pylist()}
    for name, value in BGNBD_TRUTH.items():
        assert fit[("bg_nbd", name)] == pytest.approx(value, rel=0.15), name
    for name, value in GAMMA_GAMMA_TRUTH.items():
        assert fit[("gamma_gamma", name)] == pytest.approx(value, rel=0.15), name


def test_the_fit_does_not_depend_on_the_order_of_rows():
    """DuckDB returns rows in any order; the same extracts must give the same marts."""
    rng = np.random.default_rng(5)
    n = 400
    x = rng.integers(0, 5, n)
    age = rng.uniform(10, 60, n)
    t_x = np.where(x > 0, age * rng.uniform(0, 1, n), 0.0)
    spend = np.where(x > 0, rng.gamma(6.0, 8.0, n), np.nan)
    shuffled = rng.permutation(n)
    fits = [
        fit_table(_summary(x[o].tolist(), t_x[o].tolist(), age[o].tolist(), spend[o].tolist()))
        for o in (np.arange(n), shuffled)
    ]
    assert fits[0].column("status").to_pylist() == ["ok"] * 7
    assert fits[0].column("value").to_pylist() == fits[1].column("value").to_pylist()
