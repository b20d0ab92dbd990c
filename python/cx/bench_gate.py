"""Benchmark of the quality gate's read path at scale.

GX 1.24 cannot validate DuckDB through its SQL datasource (empty results,
upstream issue 10738), so the gate reads each mart into pandas and validates the
DataFrame. This measures that route on a touchpoints-like table, against DuckDB
computing the same checks itself in the same run.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import resource
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cx.bench_clv import machine, replace_section
from cx.gate import _columns_of, mart_suites

PURE_SQL_CHECKS = """
select
    count(*) - count(distinct touchpoint_id) as duplicate_ids,
    count(*) - count(touchpoint_id) as missing_ids,
    count(*) filter (where source_system not in ('crm', 'support', 'survey')) as bad_systems,
    count(*) filter (where journey_stage not in
        ('awareness', 'consideration', 'purchase', 'service', 'loyalty')) as bad_stages,
    count(*) filter (where stage_order not between 1 and 5) as bad_orders,
    count(*) - count(occurred_at) as missing_times,
    count(*) filter (where occurred_at > now()::timestamp) as future_times
from marts.fct_touchpoints
"""


@dataclass(frozen=True)
class Measure:
    rows: int
    step: str
    seconds: float
    peak_rss_mb: float


def _touchpoints(con: duckdb.DuckDBPyConnection, rows: int) -> None:
    con.sql("create schema marts")
    con.sql(
        f"""
        create table marts.fct_touchpoints as
        select
            'crm_activity:A' || range as touchpoint_id,
            'C' || (range // 20) as customer_id,
            timestamp '2024-01-01' + to_seconds(range * 17 % 50000000) as occurred_at,
            ['crm', 'support', 'survey'][range % 3 + 1] as source_system,
            'web' as channel,
            'web_visit' as touchpoint_type,
            ['awareness', 'consideration', 'purchase', 'service', 'loyalty'][range % 5 + 1]
                as journey_stage,
            (range % 5 + 1)::integer as stage_order
        from range({rows})
        """
    )


def run(rows: int) -> list[Measure]:
    warnings.filterwarnings("ignore")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx

    measures = []

    def measure(step: str, started: float) -> None:
        seconds = time.perf_counter() - started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        measures.append(Measure(rows, step, seconds, rss))
        print(f"{rows:>12,}  {step:<44} {seconds:8.2f} s  {rss:8,.0f} MB", flush=True)

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    # The column-set check needs no data; the others name the columns they read.
    suite_expectations = [
        e for e in mart_suites(now)["fct_touchpoints"]
        if e.configuration.kwargs.get("column_set") is None
    ]  # fmt: skip
    columns = sorted(_columns_of(suite_expectations) or [])
    with duckdb.connect() as con:
        _touchpoints(con, rows)
        started = time.perf_counter()
        con.sql(PURE_SQL_CHECKS).fetchall()
        measure("same checks in DuckDB SQL (reference)", started)
        started = time.perf_counter()
        frame = con.sql(f"select {', '.join(columns)} from marts.fct_touchpoints").df()
        measure("read the suite's columns into pandas", started)
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("bench")
        .add_dataframe_asset("fct_touchpoints")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name="fct_touchpoints")
    for expectation in suite_expectations:
        suite.add_expectation(expectation)
    started = time.perf_counter()
    outcome = batch.validate(suite)
    measure(f"GX validates it ({len(suite.expectations)} expectations)", started)
    assert outcome.success
    return measures


def format_table(measures: list[Measure]) -> str:
    reference = {m.rows: m.seconds for m in measures if "reference" in m.step}
    lines = ["| rows | step | seconds | x DuckDB | peak RSS (MB) |", "|---:|---|---:|---:|---:|"]
    for m in measures:
        lines.append(
            f"| {m.rows:,} | {m.step} | {m.seconds:.2f} | {m.seconds / reference[m.rows]:.0f} |"
            f" {m.peak_rss_mb:,.0f} |"
        )
    return "\n".join(lines)


def write_report(measures: list[Measure], path: Path) -> None:
    text = (
        "## Quality gate\n\n"
        "`make bench-gate` (`cx bench-gate`): the `fct_touchpoints` suite on a\n"
        "touchpoints-like table, read into pandas and validated by GX 1.24, against DuckDB\n"
        "computing the same checks. Measured on: "
        + machine()
        + ".\n\n"
        + format_table(measures)
        + "\n"
    )
    replace_section(path, "Quality gate", text)
