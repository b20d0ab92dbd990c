"""Benchmark of the CLV step at scale: simulate buyers, summarise in DuckDB, fit, predict.

Buyers are simulated with the BG/NBD and Gamma-Gamma processes themselves (vectorised
numpy, seconds for a million customers), so the benchmark also shows the fit finding
the simulated parameters. The reference is DuckDB computing the models' input (the
purchase summary) in the same run: the part of the work a plain-SQL pipeline does too.
"""

from __future__ import annotations

import datetime as dt
import platform
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
import pyarrow as pa

from cx.clv_pipeline import fit_table, predictions_table
from cx.generator import BGNBD_TRUTH, GAMMA_GAMMA_TRUTH

START = dt.date(2024, 1, 1)
OBSERVATION_DAYS = 600
MAX_REPEATS = 60

T = TypeVar("T")

SUMMARY_SQL = f"""
with purchase_days as (
    select customer_id, order_date, sum(amount_usd) as day_amount_usd,
           min(order_date) over (partition by customer_id) as first_order_date
    from orders
    group by customer_id, order_date
)
select
    customer_id::varchar as customer_id,
    count(*) - 1 as frequency,
    date_diff('day', min(order_date), max(order_date)) / 7.0 as recency_weeks,
    date_diff('day', min(order_date), date '{START + dt.timedelta(days=OBSERVATION_DAYS)}')
        / 7.0 as age_weeks,
    avg(day_amount_usd) filter (where order_date > first_order_date) as monetary_repeat_usd,
    date '{START + dt.timedelta(days=OBSERVATION_DAYS)}' as observation_end,
    0.0 as holdout_weeks
from purchase_days
group by customer_id
"""


@dataclass(frozen=True)
class Step:
    customers: int
    step: str
    seconds: float
    peak_rss_mb: float
    note: str = ""


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(function: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def simulate_orders(customers: int, seed: int = 0) -> pa.Table:
    """Orders of ``customers`` buyers following BG/NBD and Gamma-Gamma (one row per order)."""
    rng = np.random.default_rng(seed)
    truth, spend = BGNBD_TRUTH, GAMMA_GAMMA_TRUTH
    first_day = rng.integers(0, OBSERVATION_DAYS - 60, customers)
    rate_per_day = rng.gamma(truth["r"], 1 / truth["alpha"], customers) / 7
    dropout = rng.beta(truth["a"], truth["b"], customers)
    repeats_alive = rng.geometric(dropout)  # dropout after the j-th repeat purchase
    gaps = rng.exponential(1.0, (customers, MAX_REPEATS)).astype(np.float32)
    times = first_day[:, None] + np.cumsum(gaps, axis=1) / rate_per_day[:, None]
    keep = (times < OBSERVATION_DAYS) & (np.arange(1, MAX_REPEATS + 1) <= repeats_alive[:, None])
    customer_index, repeat_index = np.nonzero(keep)
    days = np.concatenate([first_day, np.floor(times[customer_index, repeat_index])])
    owners = np.concatenate([np.arange(customers), customer_index])
    spend_rate = rng.gamma(spend["q"], 1 / spend["gamma"], customers)
    amounts = rng.gamma(spend["p"], 1 / spend_rate[owners])
    dates = (np.datetime64(START) + days.astype("timedelta64[D]")).astype("datetime64[D]")
    return pa.table(
        {
            "customer_id": pa.array(owners, pa.int64()),
            "order_date": pa.array(dates, pa.date32()),
            "amount_usd": pa.array(np.round(amounts, 2), pa.float64()),
        }
    )


class _Steps(list):
    """Steps so far; each is printed as it is measured, so a long run shows progress."""

    def append(self, step: Step) -> None:
        super().append(step)
        print(
            f"{step.customers:>10,}  {step.step:<38} {step.seconds:8.2f} s  {step.note}", flush=True
        )


def run(sizes: list[int], threads: int = 2) -> list[Step]:
    steps: list[Step] = _Steps()
    for customers in sizes:
        orders, seconds = _timed(lambda n=customers: simulate_orders(n))
        steps.append(
            Step(
                customers, "simulate orders", seconds, _peak_rss_mb(), f"{orders.num_rows:,} orders"
            )
        )
        with duckdb.connect(config={"threads": threads}) as con:
            con.register("orders", orders)
            summary, seconds = _timed(lambda c=con: c.sql(SUMMARY_SQL).to_arrow_table())
        steps.append(
            Step(customers, "purchase summary (DuckDB reference)", seconds, _peak_rss_mb())
        )
        fit, seconds = _timed(lambda s=summary: fit_table(s))
        values = {(row["model"], row["parameter"]): row["value"] for row in fit.to_pylist()}
        note = ", ".join(f"{p}={values[(m, p)]:.3g}" for m, p in values)
        steps.append(Step(customers, "fit BG/NBD + Gamma-Gamma", seconds, _peak_rss_mb(), note))
        _, seconds = _timed(lambda s=summary, f=fit: predictions_table(s, f))
        steps.append(Step(customers, "predict every customer", seconds, _peak_rss_mb()))
    return steps


def format_table(steps: list[Step]) -> str:
    reference = {s.customers: s.seconds for s in steps if "reference" in s.step}
    lines = [
        "| customers | step | seconds | x DuckDB summary | peak RSS (MB) | note |",
        "|---:|---|---:|---:|---:|---|",
    ]
    for s in steps:
        ratio = s.seconds / reference[s.customers] if reference.get(s.customers) else float("nan")
        lines.append(
            f"| {s.customers:,} | {s.step} | {s.seconds:.2f} | {ratio:.1f} |"
            f" {s.peak_rss_mb:,.0f} | {s.note} |"
        )
    return "\n".join(lines)


def machine() -> str:
    cores = len(__import__("os").sched_getaffinity(0))
    return (
        f"{platform.system()} {platform.machine()}, {cores} cores, Python "
        f"{platform.python_version()}, duckdb {duckdb.__version__}, numpy {np.__version__}"
    )


def replace_section(path: Path, title: str, text: str) -> None:
    """Write ``text`` as the section ``## title`` of the Markdown file: in its place
    if the file has it (hand-written sections around it stay where they are),
    else at the end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    start = existing.find(f"## {title}\n")
    if start < 0:
        path.write_text(existing.rstrip() + "\n\n" + text, encoding="utf-8")
        return
    end = existing.find("\n## ", start + 1)
    after = existing[end + 1 :] if end >= 0 else ""
    path.write_text(existing[:start] + text.rstrip() + "\n" + ("\n" + after if after else ""),
                    encoding="utf-8")  # fmt: skip


def write_report(steps: list[Step], path: Path) -> None:
    text = (
        "## CLV fit\n\n"
        "`make bench-clv` (`cx-bench clv`): buyers simulated with the BG/NBD and Gamma-Gamma\n"
        "processes (truth: "
        + ", ".join(f"{k}={v}" for k, v in BGNBD_TRUTH.items())
        + "; "
        + ", ".join(f"{k}={v}" for k, v in GAMMA_GAMMA_TRUTH.items())
        + "), summarised by DuckDB, then fitted and predicted by `cx.clv_pipeline`.\n"
        "Peak RSS is the process's high-water mark so far. Measured on: "
        + machine()
        + ".\n\n"
        + format_table(steps)
        + "\n"
    )
    replace_section(path, "CLV fit", text)
