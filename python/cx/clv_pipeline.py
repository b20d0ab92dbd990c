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

BGNBD_PARAMETERS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "gamma")


def _column(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).cast(pa.float64()).fill_null(np.nan).to_numpy()


def _observation_end(summary: pa.Table) -> dt.date | None:
    if summary.num_rows == 0:
        return None
    return summary.column("observation_end")[0].as_py()


def _fit_rows(
    model: str,
    names: tuple[str, ...],
    fit: clv.Fit | None,
    customers: int,
    observation_end: dt.date | None,
    reason: str | None,
) -> list[dict]:
    rows = []
    for name in names:
        rows.append(
            {
                "model": model,
                "parameter": name,
                "value": getattr(fit.params, name) if fit else None,
                "log_likelihood": fit.log_likelihood if fit else None,
                "customers": fit.customers if fit else customers,
                "observation_end": observation_end,
                "converged": fit.converged if fit else False,
                "status": ("ok" if fit.converged else f"did not converge: {fit.message}")
                if fit
                else f"not fitted: {reason}",
            }
        )
    return rows


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
        reason = str(error)
    rows = _fit_rows("bg_nbd", BGNBD_PARAMETERS, bgnbd, x.size, end, reason)

    gamma_gamma: clv.Fit | None = None
    repeat = (x > 0) & np.isfinite(spend)
    # Sorted, so that the fit does not depend on the order rows arrive in (the
    # sums would differ in their last bits, and so would the optimum).
    by_value = np.lexsort((spend[repeat], x[repeat]))
    reason = None
    try:
        gamma_gamma = clv.fit_gamma_gamma(x[repeat][by_value], spend[repeat][by_value])
    except clv.InsufficientData as error:
        reason = str(error)
    rows += _fit_rows(
        "gamma_gamma", GAMMA_GAMMA_PARAMETERS, gamma_gamma, int(repeat.sum()), end, reason
    )
    return pa.Table.from_pylist(rows, schema=FIT_SCHEMA)


def _params(fit_rows: pa.Table, model: str) -> tuple[dict[str, float] | None, str]:
    rows = [row for row in fit_rows.to_pylist() if row["model"] == model]
    if not rows or any(row["value"] is None for row in rows):
        status = rows[0]["status"] if rows else "not fitted"
        return None, f"{model}: {status}"
    if not all(row["converged"] for row in rows):
        return None, f"{model}: {rows[0]['status']}"
    return {row["parameter"]: float(row["value"]) for row in rows}, "ok"


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

    bgnbd_values, bgnbd_status = _params(fit_rows, "bg_nbd")
    gg_values, gg_status = _params(fit_rows, "gamma_gamma")
    status = "ok"
    if bgnbd_values is None:
        status = bgnbd_status
    else:
        bgnbd = clv.BgNbdParams(**bgnbd_values)
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
        if gg_values is None:
            status = gg_status
        else:
            gamma_gamma = clv.GammaGammaParams(**gg_values)
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
