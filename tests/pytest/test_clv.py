"""BG/NBD and Gamma-Gamma: published results and hand-computed values."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from scipy import optimize

from cx import clv
from cx.clv_pipeline import PREDICTION_SCHEMA, fit_table, predictions_table
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
    assert fit.num_rows == 9
    assert fit.column("value").null_count == 9
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
    """Buyers simulated exactly as BG/NBD and Gamma-Gamma describe them (cx_bench.clv)."""
    from cx.generator import BGNBD_TRUTH, GAMMA_GAMMA_TRUTH
    from cx_bench.clv import SUMMARY_SQL, simulate_orders

    with duckdb.connect() as con:
        con.register("orders", simulate_orders(20_000, seed=1))
        summary = con.sql(SUMMARY_SQL).to_arrow_table()
    fit = {(row["model"], row["parameter"]): row["value"] for row in fit_table(summary).to_pylist()}
    for name, value in BGNBD_TRUTH.items():
        assert fit[("bg_nbd", name)] == pytest.approx(value, rel=0.15), name
    for name, value in GAMMA_GAMMA_TRUTH.items():
        assert fit[("gamma_gamma", name)] == pytest.approx(value, rel=0.15), name


def simulate_bgnbd(
    rng: np.random.Generator, n: int, r: float, alpha: float, a: float, b: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) drawn exactly as BG/NBD describes them, in continuous time.

    Alive forever, a customer would buy N ~ Poisson(lambda T) times in (0, T]; she drops out
    after her J-th repeat purchase, J ~ Geometric(p). So x = min(N, J), and the x-th of N
    uniform purchase times in (0, T] is T Beta(x, N - x + 1)."""
    rate = rng.gamma(r, 1 / alpha, n)
    dropout = rng.beta(a, b, n)
    age = rng.uniform(10, 80, n)
    purchases = rng.poisson(rate * age)
    x = np.minimum(purchases, rng.geometric(dropout))
    recency = np.where(x > 0, age * rng.beta(np.maximum(x, 1), purchases - x + 1), 0.0)
    return x.astype(np.float64), recency, age


def simulate_spend(
    rng: np.random.Generator, x: np.ndarray, p: float, q: float, gamma: float
) -> np.ndarray:
    """Mean spend of x Gamma(p, nu) order values, nu ~ Gamma(q, gamma) per customer: the sum
    is Gamma(p x, nu). NaN without a repeat purchase."""
    nu = rng.gamma(q, 1 / gamma, x.size)
    total = rng.gamma(np.maximum(p * x, 1e-9), 1 / nu)
    return np.where(x > 0, total / np.maximum(x, 1), np.nan)


@pytest.mark.parametrize(
    ("customers", "truth", "seed"),
    [
        (500, {"r": 0.8, "alpha": 6.0, "a": 0.6, "b": 1.5}, 11),
        (2_000, {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.4}, 12),
        (10_000, {"r": 1.3, "alpha": 21.0, "a": 1.2, "b": 3.5}, 13),
        (50_000, {"r": 2.5, "alpha": 40.0, "a": 2.0, "b": 8.0}, 14),
    ],
)
def test_bgnbd_recovers_simulated_parameters_within_their_standard_errors(customers, truth, seed):
    x, t_x, age = simulate_bgnbd(np.random.default_rng(seed), customers, **truth)
    fit = clv.fit_bgnbd(x, t_x, age)
    assert fit.converged and fit.boundary is None, fit
    assert fit.gradient_norm <= clv.GRADIENT_TOLERANCE
    assert fit.standard_errors is not None
    # Log-parameters: the estimate is within 4 asymptotic standard errors of the truth.
    for name, error in zip(("r", "alpha", "a", "b"), fit.standard_errors, strict=True):
        assert abs(np.log(getattr(fit.params, name) / truth[name])) <= 4 * error, name


@pytest.mark.parametrize(
    ("customers", "truth", "seed"),
    [
        (500, {"p": 6.0, "q": 3.5, "gamma": 33.0}, 21),
        (2_000, {"p": 2.0, "q": 5.0, "gamma": 200.0}, 22),
        (10_000, {"p": 6.25, "q": 3.74, "gamma": 15.44}, 23),
        (50_000, {"p": 12.0, "q": 8.0, "gamma": 0.5}, 24),
    ],
)
def test_gamma_gamma_recovers_simulated_parameters_within_their_standard_errors(
    customers, truth, seed
):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 8, customers).astype(np.float64)
    fit = clv.fit_gamma_gamma(x, simulate_spend(rng, x, **truth))
    assert fit.converged and fit.boundary is None, fit
    assert fit.standard_errors is not None
    for name, error in zip(("p", "q", "gamma"), fit.standard_errors, strict=True):
        assert abs(np.log(getattr(fit.params, name) / truth[name])) <= 4 * error, name


@pytest.mark.parametrize(
    "params",
    [
        clv.BgNbdParams(r=0.3, alpha=5.0, a=0.9, b=2.0),
        clv.BgNbdParams(r=2.0, alpha=0.7, a=40.0, b=300.0),
        clv.BgNbdCommonDropout(r=0.7, alpha=3.0, dropout=0.2),
    ],
)
def test_bgnbd_gradient_matches_finite_differences(cdnow_calibration, params):
    data = cdnow_calibration
    fields = np.array(list(vars(params).values()))

    def log_likelihood(values: np.ndarray) -> float:
        return clv.bgnbd_log_likelihood(type(params)(*values), data["x"], data["t_x"], data["age"])

    analytic = clv.bgnbd_log_likelihood_gradient_terms(
        params, data["x"], data["t_x"], data["age"]
    ).sum(axis=1)
    numeric = optimize.approx_fprime(fields, log_likelihood, 1e-6 * fields)
    assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-3)


@pytest.mark.parametrize(
    "params",
    [
        clv.GammaGammaParams(p=6.25, q=3.74, gamma=15.44),
        clv.GammaGammaParams(p=0.8, q=900.0, gamma=20000.0),
        clv.GammaGammaCommonRate(p=3.0, nu=0.1),
    ],
)
def test_gamma_gamma_gradient_matches_finite_differences(cdnow_calibration, params):
    data = cdnow_calibration
    repeat = data["x"] > 0
    x, m = data["x"][repeat], data["m"][repeat]
    fields = np.array(list(vars(params).values()))

    def log_likelihood(values: np.ndarray) -> float:
        return clv.gamma_gamma_log_likelihood(type(params)(*values), x, m)

    analytic = clv.gamma_gamma_log_likelihood_gradient_terms(params, x, m).sum(axis=1)
    numeric = optimize.approx_fprime(fields, log_likelihood, 1e-6 * fields)
    assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-3)


def test_the_limits_are_the_full_models_far_out():
    """The limiting models are the full ones with a, b (q, gamma) large and the ratio fixed."""
    x, t_x, age = (
        np.array([0, 1, 3, 2]),
        np.array([0, 5.0, 20.0, 30.0]),
        np.array([10, 30, 40, 35.0]),
    )
    limit = clv.BgNbdCommonDropout(r=1.0, alpha=10.0, dropout=0.25)
    far = clv.BgNbdParams(r=1.0, alpha=10.0, a=0.25e7, b=0.75e7)
    for function in (clv.bgnbd_log_likelihood_terms, clv.p_alive):
        assert function(limit, x, t_x, age) == pytest.approx(function(far, x, t_x, age), rel=1e-6)
    assert clv.expected_cumulative_purchases(limit, [10.0, 50.0]) == pytest.approx(
        clv.expected_cumulative_purchases(far, [10.0, 50.0]), rel=1e-5
    )
    common = clv.GammaGammaCommonRate(p=3.0, nu=0.1)
    flat = clv.GammaGammaParams(p=3.0, q=1e8, gamma=1e9)
    spend = np.array([20.0, 35.0, 50.0])
    assert clv.gamma_gamma_log_likelihood_terms(common, [1, 2, 3], spend) == pytest.approx(
        clv.gamma_gamma_log_likelihood_terms(flat, [1, 2, 3], spend), rel=1e-6
    )
    assert clv.expected_order_value(common, [1, 2, 3], spend) == pytest.approx(
        clv.expected_order_value(flat, [1, 2, 3], spend), rel=1e-6
    )


def test_limiting_model_predictions_by_hand():
    params = clv.BgNbdCommonDropout(r=1.0, alpha=10.0, dropout=0.25)
    # x = 2, t_x = 20, T = 30: odds of having dropped out = pi/(1-pi) ((alpha+T)/(alpha+t_x))^(r+x)
    # = (0.25/0.75) (40/30)^3 = 0.790123; P(alive) = 1 / 1.790123 = 0.558621
    assert clv.p_alive(params, [2], [20.0], [30.0])[0] == pytest.approx(0.558621, abs=1e-6)
    # 10 weeks: P(alive) (1 - ((alpha+T)/(alpha+T+pi t))^(r+x)) / pi
    # = 0.558621 (1 - (40/42.5)^3) / 0.25 = 0.558621 * 0.166294 / 0.25 = 0.371580
    assert clv.expected_purchases(params, 10.0, [2], [20.0], [30.0])[0] == pytest.approx(
        0.371580, abs=1e-6
    )
    # (1 - (alpha/(alpha + pi t))^r) / pi at t = 10: (1 - 10/12.5) / 0.25 = 0.8
    assert clv.expected_cumulative_purchases(params, [10.0])[0] == pytest.approx(0.8)
    # Every customer's order value is the common mean p / nu = 3 / 0.1 = 30.
    common = clv.GammaGammaCommonRate(p=3.0, nu=0.1)
    assert clv.expected_order_value(common, [0, 4], [np.nan, 80.0]) == pytest.approx([30.0, 30.0])


def test_the_fit_does_not_depend_on_the_order_of_rows():
    """DuckDB returns rows in any order; the same extracts must give the same marts (to far
    below any digit a reader sees: sums in another order differ in their last bits)."""
    rng = np.random.default_rng(5)
    n = 2000
    x, t_x, age = simulate_bgnbd(rng, n, r=1.3, alpha=21.0, a=1.2, b=3.5)
    spend = simulate_spend(rng, x, p=6.0, q=3.5, gamma=33.0)
    shuffled = rng.permutation(n)
    fits = [
        fit_table(_summary(x[o].tolist(), t_x[o].tolist(), age[o].tolist(), spend[o].tolist()))
        for o in (np.arange(n), shuffled)
    ]
    assert fits[0].column("status").to_pylist() == ["ok"] * 9
    assert fits[1].column("status").to_pylist() == ["ok"] * 9
    assert fits[1].column("value").to_pylist() == pytest.approx(
        fits[0].column("value").to_pylist(), rel=1e-6
    )


def _foreign_summary(customers: int, seed: int) -> pa.Table:
    """Buyers BG/NBD and Gamma-Gamma do not describe: 1 to 4 orders each at uniform times
    between a first purchase and the observation end, every order's amount drawn from one
    common distribution (uniform, 10 to 100 USD)."""
    rng = np.random.default_rng(seed)
    orders = rng.integers(1, 5, customers)
    age = rng.uniform(1, 104, customers)
    repeat_times = np.sort(rng.uniform(0, 1, (customers, 3)), axis=1) * age[:, None]
    x = orders - 1
    recency = np.where(x > 0, repeat_times[np.arange(customers), np.maximum(x - 1, 0)], 0.0)
    amounts = rng.uniform(10.0, 100.0, (customers, 3)).round(2) * (np.arange(3) < x[:, None])
    spend = np.where(x > 0, amounts.sum(axis=1) / np.maximum(x, 1), np.nan)
    return _summary(x.tolist(), recency.tolist(), age.tolist(), spend.tolist())


def test_foreign_data_gives_the_limiting_models_and_finite_predictions():
    summary = _foreign_summary(20_000, seed=7)
    fit = fit_table(summary)
    rows = {(row["model"], row["parameter"]): row for row in fit.to_pylist()}
    assert rows[("bg_nbd", "r")]["status"] == (
        f"boundary: {clv.BGNBD_COMMON_DROPOUT}; limiting model fitted"
    )
    assert rows[("gamma_gamma", "p")]["status"] == (
        f"boundary: {clv.GAMMA_GAMMA_COMMON_RATE}; limiting model fitted"
    )
    assert all(row["converged"] for row in rows.values())
    for model, parameter in [("bg_nbd", "a"), ("bg_nbd", "b"), ("gamma_gamma", "q"),
                             ("gamma_gamma", "gamma")]:  # fmt: skip
        assert rows[(model, parameter)]["value"] is None
    # In the common-rate limit, d/dnu = 0 gives nu = p sum(x) / sum(x m): the order value
    # p / nu is the mean of all repeat purchase days' amounts, sum(x m) / sum(x).
    x = summary.column("frequency").to_numpy()
    spend = summary.column("monetary_repeat_usd").to_numpy(zero_copy_only=False)
    repeat = x > 0
    order_value = rows[("gamma_gamma", "p")]["value"] / rows[("gamma_gamma", "q/gamma")]["value"]
    assert order_value == pytest.approx(
        np.sum(x[repeat] * spend[repeat]) / np.sum(x[repeat]), rel=1e-6
    )
    assert 0 < rows[("bg_nbd", "a/(a+b)")]["value"] < 1

    predictions = predictions_table(summary, fit)
    for name in PREDICTION_SCHEMA.names[1:-1]:
        values = predictions.column(name).to_numpy(zero_copy_only=False)
        assert predictions.column(name).null_count == 0, name
        assert np.all(np.isfinite(values)) and np.all(values >= 0), name
    assert set(predictions.column("prediction_status").to_pylist()) == {
        "ok (limiting model of bg_nbd and gamma_gamma: see mart_clv_model_fit.status)"
    }


def test_the_limiting_model_beats_every_full_model_on_foreign_data():
    summary = _foreign_summary(5_000, seed=8)
    x = summary.column("frequency").to_numpy().astype(np.float64)
    t_x, age = summary.column("recency_weeks").to_numpy(), summary.column("age_weeks").to_numpy()
    fit = clv.fit_bgnbd(x, t_x, age)
    assert isinstance(fit.params, clv.BgNbdCommonDropout)
    r, alpha, pi = fit.params.r, fit.params.alpha, fit.params.dropout
    for size in (10.0, 1e3, 1e5):
        near = clv.BgNbdParams(r, alpha, pi * size, (1 - pi) * size)
        assert clv.bgnbd_log_likelihood(near, x, t_x, age) < fit.log_likelihood


def test_one_customer_gives_unfitted_models_and_null_predictions():
    summary = _summary([2], [5.0], [10.0], [40.0])
    fit = fit_table(summary)
    assert fit.column("value").null_count == 9
    assert not any(fit.column("converged").to_pylist())
    predictions = predictions_table(summary, fit)
    assert predictions.column("predicted_clv_usd").null_count == 1
    assert predictions.column("prediction_status")[0].as_py() == (
        "bg_nbd: not fitted: 1 customers; BG/NBD needs at least 20"
    )


def test_identical_spend_keeps_purchase_predictions_and_says_why_value_is_null():
    rng = np.random.default_rng(9)
    x, t_x, age = simulate_bgnbd(rng, 300, r=1.3, alpha=21.0, a=1.2, b=3.5)
    spend = np.where(x > 0, 25.0, np.nan)
    summary = _summary(x.tolist(), t_x.tolist(), age.tolist(), spend.tolist())
    predictions = predictions_table(summary, fit_table(summary))
    assert predictions.column("p_alive").null_count == 0
    assert predictions.column("predicted_clv_usd").null_count == 300
    assert predictions.column("prediction_status")[0].as_py() == (
        "gamma_gamma: not fitted: every repeat customer spends the same: the spend has no spread"
    )


def test_a_likelihood_without_a_maximum_or_a_limiting_model_says_so():
    """Everyone buys at the same rate and nobody drops out: the rates' Gamma runs to a point
    (r, alpha -> infinity), a limit without a model here; nothing is predicted from it."""
    rng = np.random.default_rng(10)
    n = 3000
    age = rng.uniform(10, 80, n)
    purchases = rng.poisson(0.1 * age)
    x = purchases.astype(np.float64)
    recency = np.where(x > 0, age * rng.beta(np.maximum(x, 1), 1), 0.0)
    summary = _summary(x.tolist(), recency.tolist(), age.tolist(), [30.0 + i % 7 for i in range(n)])
    fit = fit_table(summary)
    status = fit.column("status")[0].as_py()
    assert status.startswith("boundary: the BG/NBD likelihood keeps rising towards r -> infinity")
    assert status.endswith("the maximum-likelihood estimate does not exist")
    assert fit.slice(0, 5).column("value").null_count == 5
    predictions = predictions_table(summary, fit)
    assert predictions.column("p_alive").null_count == n
    assert predictions.column("prediction_status")[0].as_py() == f"bg_nbd: {status}"


def test_foreign_inputs_are_refused_without_echoing_them():
    with pytest.raises(clv.InsufficientData, match="whole number") as error:
        clv.fit_bgnbd([0.5] * 30, [1.0] * 30, [10.0] * 30)
    assert "0.5" not in str(error.value)
    with pytest.raises(clv.InsufficientData, match="finite"):
        clv.fit_bgnbd([1.0] * 30, [np.nan] * 30, [10.0] * 30)
