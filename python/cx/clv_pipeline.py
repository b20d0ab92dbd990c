"""The CLV steps the warehouse's Python models call: Arrow tables in, Arrow tables out.

Input: the per-customer purchase summary (``int_customer_purchase_summary``).
``fit_table`` fits BG/NBD and Gamma-Gamma once and returns one row per model and
parameter; ``predictions_table`` applies a fit to every customer. Where the data
cannot support a model (too few customers, nobody buying twice, no spread in
spend) the fit rows carry null values and the reason, predictions are null with
that reason, and nothing raises: the build goes on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from cx import clv

FIT_SCHEMA = pa.schema(
    [
        ("model", pa.string()),
        ("parameter", pa.string()),
        ("value", pa.float64()),
        ("log_likelihood", pa.float64()),
        ("customers", pa.int64()),
        ("observation_end", pa.date32()),
        ("converged", pa.bool_()),
        ("status", pa.string()),
    ]
)

PREDICTION_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("p_alive", pa.float64()),
        ("expected_purchases_horizon", pa.float64()),
        ("expected_order_value_usd", pa.float64()),
        ("predicted_clv_usd", pa.float64()),
        ("expected_purchases_holdout", pa.float64()),
        ("expected_cumulative_purchases_at_holdout_end", pa.float64()),
        ("prediction_status", pa.string()),
    ]
)

BGNBD_PARAMETERS = ("r", "alpha", "a", "b", "a/(a+b)")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "gamma", "q/gamma")


def _column(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).cast(pa.float64()).fill_null(np.nan).to_numpy()


def _observation_end(summary: pa.Table) -> dt.date | None:
    if summary.num_rows == 0:
        return None
    return summary.column("observation_end")[0].as_py()


def _values(params: clv.BgNbd | clv.GammaGamma) -> dict[str, float | None]:
    """The parameter rows of a fit: a limiting model has no finite a, b (q, gamma), only
    their ratio."""
    if isinstance(params, clv.BgNbdCommonDropout):
        return {"r": params.r, "alpha": params.alpha, "a": None, "b": None,
                "a/(a+b)": params.dropout}  # fmt: skip
    if isinstance(params, clv.BgNbdParams):
        return {"r": params.r, "alpha": params.alpha, "a": params.a, "b": params.b,
                "a/(a+b)": params.a / (params.a + params.b)}  # fmt: skip
    if isinstance(params, clv.GammaGammaCommonRate):
        return {"p": params.p, "q": None, "gamma": None, "q/gamma": params.nu}
    return {"p": params.p, "q": params.q, "gamma": params.gamma,
            "q/gamma": params.q / params.gamma}  # fmt: skip


def _status(fit: clv.Fit) -> str:
    if not fit.converged:
        return (
            f"did not converge: largest gradient {fit.gradient_norm:.1e} per customer "
            f"(tolerance {clv.GRADIENT_TOLERANCE:.0e}); optimiser: {fit.message}"
        )
    if fit.boundary:
        return f"boundary: {fit.boundary}; limiting model fitted"
    return "ok"


def _fit_rows(
    model: str,
    names: tuple[str, ...],
    fit: clv.Fit | None,
    customers: int,
    observation_end: dt.date | None,
    reason: str | None,
) -> list[dict]:
    values = _values(fit.params) if fit else dict.fromkeys(names)
    return [
        {
            "model": model,
            "parameter": name,
            "value": values[name],
            "log_likelihood": fit.log_likelihood if fit else None,
            "customers": fit.customers if fit else customers,
            "observation_end": observation_end,
            "converged": fit.converged if fit else False,
            "status": _status(fit) if fit else reason,
        }
        for name in names
    ]


def fit_table(summary: pa.Table) -> pa.Table:
    """Fit both models on the purchase summary; one row per model and parameter."""
    x = _column(summary, "frequency")
    t_x = _column(summary, "recency_weeks")
    age = _column(summary, "age_weeks")
    spend = _column(summary, "monetary_repeat_usd")
    end = _observation_end(summary)

    # One likelihood term per distinct history, weighted by how many customers share it.
    triples, counts = (
        np.unique(np.column_stack([x, t_x, age]), axis=0, return_counts=True)
        if x.size
        else (np.empty((0, 3)), np.empty(0))
    )
    bgnbd: clv.Fit | None = None
    reason = None
    try:
        bgnbd = clv.fit_bgnbd(triples[:, 0], triples[:, 1], triples[:, 2], weights=counts)
    except clv.InsufficientData as error:
        reason = f"not fitted: {error}"
    except clv.NoEstimate as error:
        reason = f"boundary: {error}"
    rows = _fit_rows("bg_nbd", BGNBD_PARAMETERS, bgnbd, x.size, end, reason)

    gamma_gamma: clv.Fit | None = None
    repeat = (x > 0) & np.isfinite(spend)
    # Sorted, so that the sums run in the same order whatever order rows arrive in.
    by_value = np.lexsort((spend[repeat], x[repeat]))
    reason = None
    try:
        gamma_gamma = clv.fit_gamma_gamma(x[repeat][by_value], spend[repeat][by_value])
    except clv.InsufficientData as error:
        reason = f"not fitted: {error}"
    except clv.NoEstimate as error:
        reason = f"boundary: {error}"
    rows += _fit_rows(
        "gamma_gamma", GAMMA_GAMMA_PARAMETERS, gamma_gamma, int(repeat.sum()), end, reason
    )
    return pa.Table.from_pylist(rows, schema=FIT_SCHEMA)


def _params(
    fit_rows: pa.Table, model: str
) -> tuple[clv.BgNbd | clv.GammaGamma | None, str, str | None]:
    """The fitted model read back from its rows (a limiting model when a, b or q, gamma are
    null), the reason when there is none, and the limit when it is a limiting model."""
    rows = [row for row in fit_rows.to_pylist() if row["model"] == model]
    if not rows:
        return None, f"{model}: not fitted", None
    status = rows[0]["status"]
    if not all(row["converged"] for row in rows):
        return None, f"{model}: {status}", None
    values = {row["parameter"]: row["value"] for row in rows}
    limit = status.removeprefix("boundary: ").removesuffix("; limiting model fitted")
    if model == "bg_nbd":
        if values["a"] is None:
            dropout = values["a/(a+b)"]
            return clv.BgNbdCommonDropout(values["r"], values["alpha"], dropout), "", limit
        return clv.BgNbdParams(values["r"], values["alpha"], values["a"], values["b"]), "", None
    if values["q"] is None:
        return clv.GammaGammaCommonRate(values["p"], values["q/gamma"]), "", limit
    return clv.GammaGammaParams(values["p"], values["q"], values["gamma"]), "", None


def predictions_table(
    summary: pa.Table,
    fit_rows: pa.Table,
    horizon_months: int = 12,
    monthly_discount_rate: float = 0.01,
) -> pa.Table:
    """Per-customer P(alive), expected purchases, order value and discounted CLV."""
    n = summary.num_rows
    customer_id = summary.column("customer_id")
    x = _column(summary, "frequency")
    t_x = _column(summary, "recency_weeks")
    age = _column(summary, "age_weeks")
    spend = _column(summary, "monetary_repeat_usd")
    holdout = _column(summary, "holdout_weeks")
    nothing = np.full(n, np.nan)
    columns = {
        "p_alive": nothing,
        "expected_purchases_horizon": nothing,
        "expected_order_value_usd": nothing,
        "predicted_clv_usd": nothing,
        "expected_purchases_holdout": nothing,
        "expected_cumulative_purchases_at_holdout_end": nothing,
    }

    bgnbd, bgnbd_status, bgnbd_limit = _params(fit_rows, "bg_nbd")
    gamma_gamma, gg_status, gg_limit = _params(fit_rows, "gamma_gamma")
    limits = [model for model, limit in
              (("bg_nbd", bgnbd_limit), ("gamma_gamma", gg_limit)) if limit]  # fmt: skip
    status = "ok"
    if limits:
        status = f"ok (limiting model of {' and '.join(limits)}: see mart_clv_model_fit.status)"
    if bgnbd is None:
        status = bgnbd_status
    else:
        holdout_weeks = float(holdout[0]) if n else 0.0
        columns["p_alive"] = clv.p_alive(bgnbd, x, t_x, age)
        columns["expected_purchases_horizon"] = clv.expected_purchases(
            bgnbd, horizon_months * clv.WEEKS_PER_MONTH, x, t_x, age
        )
        columns["expected_purchases_holdout"] = clv.expected_purchases(
            bgnbd, holdout_weeks, x, t_x, age
        )
        columns["expected_cumulative_purchases_at_holdout_end"] = clv.expected_cumulative_purchases(
            bgnbd, age + holdout_weeks
        )
        if gamma_gamma is None:
            status = gg_status
        else:
            order_value = clv.expected_order_value(gamma_gamma, x, spend)
            columns["expected_order_value_usd"] = order_value
            columns["predicted_clv_usd"] = clv.predicted_clv(
                bgnbd, order_value, x, t_x, age, horizon_months, monthly_discount_rate
            )

    arrays = [customer_id.cast(pa.string())]
    for name in PREDICTION_SCHEMA.names[1:-1]:
        values = columns[name]
        arrays.append(pa.array(values, type=pa.float64(), mask=~np.isfinite(values)))
    arrays.append(pa.array([status] * n, type=pa.string()))
    return pa.Table.from_arrays(arrays, schema=PREDICTION_SCHEMA)


@dataclass(frozen=True)
class Backtest:
    """How the predictions made at the observation end compare with what happened after."""

    customers: int
    holdout_weeks: float
    actual_holdout_purchases: int
    predicted_holdout_purchases: float
    correlation: float
    actual_cumulative_purchases: int
    expected_cumulative_purchases: float

    @property
    def holdout_error(self) -> float:
        return self.predicted_holdout_purchases / self.actual_holdout_purchases - 1

    @property
    def cumulative_error(self) -> float:
        return self.expected_cumulative_purchases / self.actual_cumulative_purchases - 1

    def format(self) -> str:
        rows = [
            ("customers", f"{self.customers:,}"),
            ("holdout", f"{self.holdout_weeks:.1f} weeks"),
            ("repeat purchases in holdout, actual", f"{self.actual_holdout_purchases:,}"),
            (
                "repeat purchases in holdout, predicted",
                f"{self.predicted_holdout_purchases:,.1f} ({self.holdout_error:+.1%})",
            ),
            ("correlation per customer, predicted vs actual", f"{self.correlation:.3f}"),
            ("cumulative repeat purchases, actual", f"{self.actual_cumulative_purchases:,}"),
            (
                "cumulative repeat purchases, expected",
                f"{self.expected_cumulative_purchases:,.1f} ({self.cumulative_error:+.1%})",
            ),
        ]
        return "\n".join(f"{label:<47} {value}" for label, value in rows)


def backtest(
    calibration_purchases: np.ndarray,
    holdout_purchases: np.ndarray,
    predicted_holdout: np.ndarray,
    expected_cumulative: np.ndarray,
    holdout_weeks: float,
) -> Backtest:
    """Per-customer correlation of predicted and actual holdout repeat purchases, and the
    error of the cohort's cumulative repeat purchases at the end of the holdout."""
    if holdout_weeks <= 0 or calibration_purchases.size < 2:
        raise ValueError("a backtest needs a holdout after the observation end and 2+ customers")
    return Backtest(
        customers=int(calibration_purchases.size),
        holdout_weeks=float(holdout_weeks),
        actual_holdout_purchases=int(holdout_purchases.sum()),
        predicted_holdout_purchases=float(predicted_holdout.sum()),
        correlation=float(np.corrcoef(predicted_holdout, holdout_purchases)[0, 1]),
        actual_cumulative_purchases=int(calibration_purchases.sum() + holdout_purchases.sum()),
        expected_cumulative_purchases=float(expected_cumulative.sum()),
    )
