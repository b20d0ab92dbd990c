"""Benchmark of the quality gate at scale.

The gate's ``fct_touchpoints`` suite, run by GX 1.24 through its SQL datasource
inside DuckDB (the gate's route), on a touchpoints-like table with planted
defects, against DuckDB computing the same checks itself in the same run. The
benchmark fails unless GX counts every planted defect exactly as DuckDB does.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import resource
import tempfile
import time
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from cx import paths
from cx.gate.suites import journey_stages
from cx_bench.clv import machine, replace_section


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


# The rows each expectation of the suite finds unexpected, computed by DuckDB.
# GX counts every row of a duplicated key, so the reference does too.
PURE_SQL_CHECKS = """
select
    (select coalesce(sum(lines), 0) from (
        select count(*) as lines from marts.fct_touchpoints
        where touchpoint_id is not null group by touchpoint_id having count(*) > 1
    )) as duplicate_ids,
    count(*) - count(touchpoint_id) as missing_ids,
    count(*) filter (where source_system not in $systems) as bad_systems,
    count(*) filter (where journey_stage not in $stages) as bad_stages,
    count(*) filter (where stage_order not between 1 and $stage_count) as bad_orders,
    count(*) - count(occurred_at) as missing_times,
    count(*) filter (where occurred_at > $now) as future_times
from marts.fct_touchpoints
"""

# The suite's expectation and column each reference count stands for.
COUNTED = {
    ("expect_column_values_to_be_unique", "touchpoint_id"): "duplicate_ids",
    ("expect_column_values_to_not_be_null", "touchpoint_id"): "missing_ids",
    ("expect_column_values_to_be_in_set", "source_system"): "bad_systems",
    ("expect_column_values_to_be_in_set", "journey_stage"): "bad_stages",
    ("expect_column_values_to_be_between", "stage_order"): "bad_orders",
    ("expect_column_values_to_not_be_null", "occurred_at"): "missing_times",
}


@dataclass(frozen=True)
class Measure:
    rows: int
    step: str
    seconds: float
    peak_rss_mb: float


def _touchpoints(con: duckdb.DuckDBPyConnection, rows: int) -> None:
    """A touchpoints-like table; every 100,000th row carries a defect, one of six in turn,
    and the last row is dated in 2100."""
    stages = journey_stages()
    con.sql("create schema marts")
    con.execute(
        f"""
        create table marts.fct_touchpoints as
        with lines as (
            select
                range,
                range % 100000 = 99999 as is_defect,
                (range // 100000) % 6 as defect
            from range({rows})
        )
        select
            case
                when is_defect and defect = 0 then null
                when is_defect and defect = 1 then 'crm_activity:A' || (range - 1)
                else 'crm_activity:A' || range
            end as touchpoint_id,
            'C' || (range // 20) as customer_id,
            case
                when is_defect and defect = 2 then null
                when range = {rows} - 1 then timestamp '2100-01-01'
                else timestamp '2024-01-01' + to_seconds(range * 17 % 50000000)
            end as occurred_at,
            case when is_defect and defect = 3 then 'fax' else $systems[range % 3 + 1] end
                as source_system,
            'web' as channel,
            'web_visit' as touchpoint_type,
            case when is_defect and defect = 4 then 'unknown' else $stages[range % 5 + 1] end
                as journey_stage,
            (case when is_defect and defect = 5 then 9 else range % 5 + 1 end)::integer
                as stage_order
        from lines
        """,
        {"systems": enum("touchpoint_source_systems"), "stages": stages},
    )


def _suite(now: dt.datetime) -> list[object]:
    """Seven expectations of the kinds a mart's checks take (keys, enums, a range, the
    latest timestamp) on ``fct_touchpoints``. The gate itself leaves keys and enums to
    dbt's tests (cx.gate.suites); this suite measures GX's SQL route on them all."""
    import great_expectations as gx

    e = gx.expectations
    return [
        e.ExpectColumnValuesToBeUnique(column="touchpoint_id"),
        e.ExpectColumnValuesToNotBeNull(column="touchpoint_id"),
        e.ExpectColumnValuesToBeInSet(
            column="source_system", value_set=enum("touchpoint_source_systems")
        ),
        e.ExpectColumnValuesToBeInSet(column="journey_stage", value_set=journey_stages()),
        e.ExpectColumnValuesToBeBetween(
            column="stage_order", min_value=1, max_value=len(journey_stages())
        ),
        e.ExpectColumnValuesToNotBeNull(column="occurred_at"),
        e.ExpectColumnMaxToBeBetween(column="occurred_at", max_value=now),
    ]


def run(rows: int) -> list[Measure]:
    warnings.filterwarnings("ignore")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from cx import gx_duckdb

    gx_duckdb.install()
    measures = []

    def measure(step: str, started: float) -> None:
        seconds = time.perf_counter() - started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        measures.append(Measure(rows, step, seconds, rss))
        print(f"{rows:>12,}  {step:<52} {seconds:8.2f} s  {rss:8,.0f} MB", flush=True)

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    expectations = _suite(now)
    with tempfile.TemporaryDirectory(prefix="cx-bench-gate-") as folder:
        database = Path(folder) / "bench.duckdb"
        with duckdb.connect(str(database), config=paths.duckdb_settings()) as con:
            _touchpoints(con, rows)
        with duckdb.connect(str(database), read_only=True, config=paths.duckdb_settings()) as con:
            started = time.perf_counter()
            cursor = con.execute(
                PURE_SQL_CHECKS,
                {
                    "systems": enum("touchpoint_source_systems"),
                    "stages": journey_stages(),
                    "stage_count": len(journey_stages()),
                    "now": now,
                },
            )
            names = [column[0] for column in cursor.description]
            reference = dict(zip(names, cursor.fetchall()[0], strict=True))
            measure("same checks in DuckDB SQL (reference)", started)
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = context.data_sources.add_sql(
            "bench",
            connection_string=f"duckdb:///{database}",
            create_temp_table=False,
            kwargs={"connect_args": {"read_only": True, "config": paths.duckdb_settings()}},
        )
        batch = (
            source.add_table_asset("fct_touchpoints", table_name="fct_touchpoints",
                                   schema_name="marts")
            .add_batch_definition_whole_table("all")
            .get_batch()
        )  # fmt: skip
        suite = gx.ExpectationSuite(name="fct_touchpoints")
        for expectation in expectations:
            suite.add_expectation(expectation)
        started = time.perf_counter()
        outcome = batch.validate(suite, result_format="SUMMARY")
        measure(f"GX validates it inside DuckDB ({len(suite.expectations)} expectations)", started)
        source.get_execution_engine().engine.dispose()
    _check_counts(outcome, reference)
    return measures


def _check_counts(outcome: object, reference: dict[str, int]) -> None:
    """GX must find exactly the defects DuckDB counts, and the row dated 2100."""
    found = {}
    for check in outcome.results:  # type: ignore[attr-defined]
        config = check.expectation_config
        key = (config.type, config.kwargs.get("column"))
        if key in COUNTED:
            found[COUNTED[key]] = (check.result or {}).get("unexpected_count")
        elif config.type == "expect_column_max_to_be_between":
            found["future_times"] = 0 if check.success else reference["future_times"]
    expected = {name: reference[name] for name in [*COUNTED.values(), "future_times"]}
    if found != expected:
        raise AssertionError(f"the gate's counts {found} differ from DuckDB's {expected}")
    print(f"  planted defects found, as DuckDB counts them: {found}", flush=True)


def format_table(measures: list[Measure]) -> str:
    reference = {m.rows: m.seconds for m in measures if "reference" in m.step}
    lines = ["| rows | step | seconds | x DuckDB | peak RSS (MB) |", "|---:|---|---:|---:|---:|"]
    for m in measures:
        lines.append(
            f"| {m.rows:,} | {m.step} | {m.seconds:.2f} | {m.seconds / reference[m.rows]:.1f} |"
            f" {m.peak_rss_mb:,.0f} |"
        )
    return "\n".join(lines)


def write_report(measures: list[Measure], path: Path) -> None:
    text = (
        "## Quality gate\n\n"
        "`make bench-gate` (`cx-bench gate`): seven expectations (keys, enums, a range,\n"
        "the latest timestamp) on a touchpoints-like table with a defect planted in\n"
        "every 100,000th row, validated\n"
        "by GX 1.24 through its SQL datasource inside DuckDB (the gate's route), against\n"
        "DuckDB computing the same checks; the run fails unless GX counts every planted\n"
        "defect as DuckDB does. Measured on: " + machine() + ".\n\n" + format_table(measures) + "\n"
    )
    replace_section(path, "Quality gate", text)
