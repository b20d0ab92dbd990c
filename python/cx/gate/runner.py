"""The quality gate's runner: Great Expectations validates every suite inside
DuckDB, builds Data Docs, and the result says what failed.

GX reads the build database through its SQL datasource, read-only: each
expectation is a query that DuckDB answers, nothing is copied out into pandas,
so memory does not grow with the marts (DECISIONLOG.md, Quality gate, has the
measured choice). Only marts that pass every expectation are published.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cx import paths
from cx.gate.cross_table import FRESHNESS, RECONCILIATIONS, freshness_expectations
from cx.gate.suites import for_zero_rows, mart_suites
from cx.sql_text import identifier, string_literal

DATASOURCE = "build_database"


@dataclass(frozen=True)
class Failure:
    suite: str
    expectation: str
    column: str | None
    unexpected_count: int | None
    examples: list[Any]


@dataclass
class GateResult:
    success: bool
    checked: dict[str, int] = field(default_factory=dict)  # suite: expectations
    failures: list[Failure] = field(default_factory=list)
    docs_index: Path | None = None

    def format(self) -> str:
        total = sum(self.checked.values())
        lines = [
            f"Quality gate: {'passed' if self.success else 'FAILED'}"
            f" ({total} expectations over {len(self.checked)} suites)"
        ]
        for failure in self.failures:
            where = f"{failure.suite}.{failure.column}" if failure.column else failure.suite
            count = "" if failure.unexpected_count is None else f", {failure.unexpected_count} rows"
            lines.append(f"  FAILED {where}: {failure.expectation}{count}")
            if failure.examples:
                lines.append(f"         e.g. {failure.examples[:5]}")
        if self.docs_index:
            lines.append(
                f"Data Docs: {self.docs_index}\n"
                f"  open with: .venv/bin/python -m webbrowser file://{self.docs_index}"
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class _Suite:
    """A suite and what it validates: a mart (``table``), or the ``rows`` a cross-table
    query returned, given to GX as ``query``."""

    name: str
    expectations: list[Any]
    table: str | None = None
    query: str | None = None
    rows: tuple[tuple[Any, ...], ...] = ()


def _rows(engine: Any, sql: str) -> list[tuple[Any, ...]]:
    import sqlalchemy as sa

    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(sql)).fetchall()]


def _suites(engine: Any, now: dt.datetime, result: GateResult) -> list[_Suite]:
    """Every suite the gate runs; a mart that is missing fails the gate."""
    existing = {row[0] for row in _rows(engine, paths.MARTS_SQL)}
    suites = []
    for mart, expectations in mart_suites(now).items():
        if mart not in existing:
            result.success = False
            result.failures.append(Failure(mart, "mart exists", None, None, []))
            continue
        if _rows(engine, f"select count(*) from {paths.MARTS_SCHEMA}.{mart}")[0][0] == 0:
            expectations = for_zero_rows(expectations)
        suites.append(_Suite(mart, expectations, table=mart))
    import great_expectations as gx

    pair = gx.expectations.ExpectColumnPairValuesToBeEqual(column_A="expected", column_B="actual")
    reconciliation = _computed(engine, RECONCILIATIONS)
    suites.append(_Suite("reconciliation", [pair], **reconciliation))
    freshness = _computed(engine, FRESHNESS)
    latest_in_extracts = freshness["rows"][0][0]
    suites.append(_Suite("freshness", freshness_expectations(latest_in_extracts, now), **freshness))
    return suites


def _computed(engine: Any, sql: str) -> dict[str, Any]:
    """A cross-table query, run once: its rows, and the same rows as typed literals in a
    query for GX to validate.

    GX runs a query asset's query again for each metric it computes (the
    reconciliations four times, 6 s each at 1M customers: DECISIONLOG.md, Quality
    gate). Both queries are aggregates without ``group by``, so they return rows."""
    columns = [(name, kind) for name, kind, *_ in _rows(engine, f"describe {sql}")]
    rows = tuple(_rows(engine, sql))
    if not rows:
        raise ValueError(f"a cross-table check returned no rows: {sql}")
    names = ", ".join(identifier(name) for name, _ in columns)
    values = ", ".join(
        "(" + ", ".join(
            f"{_literal(value)}::{kind}" for value, (_, kind) in zip(row, columns, strict=True)
        ) + ")"
        for row in rows
    )  # fmt: skip
    return {"query": f"select * from (values {values}) as computed({names})", "rows": rows}


def _literal(value: Any) -> str:
    """A value DuckDB returned, as a string literal its column's type casts back to it
    (a float's ``str`` round-trips, ``inf`` and ``nan`` included)."""
    if value is None:
        return "null"
    if isinstance(value, dt.datetime):
        return string_literal(value.isoformat(sep=" "))
    if isinstance(value, dt.date):
        return string_literal(value.isoformat())
    return string_literal(str(value))


def run_gate(build_database: Path, docs_root: Path, now: dt.datetime | None = None) -> GateResult:
    """Validate every published mart and the cross-table checks; build Data Docs."""
    warnings.filterwarnings("ignore")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    from cx import gx_duckdb

    gx_duckdb.install()
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    docs_root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(docs_root))
    # A build's output is for people: no progress bars between the report lines.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    first = context.data_sources.add_or_update_sql(
        DATASOURCE,
        connection_string=f"duckdb:///{Path(build_database).resolve()}",
        create_temp_table=False,
        kwargs={"connect_args": {"read_only": True, "config": paths.duckdb_settings()}},
    )
    engine = first.get_execution_engine().engine
    result = GateResult(success=True)
    try:
        specs = _suites(engine, now, result)
        # Every asset in one datasource write: GX's file context rewrites its whole
        # YAML config on each asset added one at a time (DECISIONLOG.md, Quality gate).
        source = context.data_sources.add_or_update_sql(
            DATASOURCE,
            connection_string=first.connection_string,
            create_temp_table=False,
            kwargs=first.kwargs,
            assets=[_asset(spec) for spec in specs],
        )
        definitions = []
        for spec in specs:
            suite = gx.ExpectationSuite(name=spec.name)
            for expectation in spec.expectations:
                suite.add_expectation(expectation)
            suite = context.suites.add_or_update(suite)
            batch = source.get_asset(spec.name).get_batch_definition(spec.name)
            definitions.append(
                context.validation_definitions.add_or_update(
                    gx.ValidationDefinition(name=spec.name, data=batch, suite=suite)
                )
            )
            result.checked[spec.name] = len(spec.expectations)
        # One checkpoint validates every suite: one run, one set of pages.
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name="gate",
                validation_definitions=definitions,
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
            )
        )
        outcome = checkpoint.run(run_id=RunIdentifier(run_name="gate"))
        by_name = {spec.name: spec for spec in specs}
        rendered = [ExpectationSuiteIdentifier(name=spec.name) for spec in specs]
        rendered += list(outcome.run_results)
        for validation in outcome.run_results.values():
            spec = by_name[validation.suite_name]
            for check in validation.results:
                if not check.success:
                    result.failures.append(_failure(spec, check))
    finally:
        # Close every connection GX opened: the build database may not be opened
        # again in this process with other settings while one is left in a pool.
        _close(engine, first, context.data_sources.get(DATASOURCE))
    result.success = result.success and not result.failures
    # Render this run's pages only: every earlier run's pages are already on disk, and
    # rendering them all again grows with every build (144 results after 8 builds of
    # the sample took 9.4 s of a 42 s gate; DECISIONLOG.md, Quality gate). The index
    # still lists every run.
    context.build_data_docs(resource_identifiers=rendered)
    sites = context.get_docs_sites_urls()
    if sites:
        result.docs_index = Path(sites[0]["site_url"].removeprefix("file://"))
    return result


def _asset(spec: _Suite) -> dict[str, Any]:
    """The GX asset of a suite: its mart, or its query (GX takes a query asset only
    when it starts with SELECT), validated whole."""
    batches = [{"name": spec.name}]
    if spec.table is not None:
        return {
            "type": "table",
            "name": spec.name,
            "table_name": spec.table,
            "schema_name": paths.MARTS_SCHEMA,
            "batch_definitions": batches,
        }
    query = f"select * from ({spec.query}) as {spec.name}"
    return {"type": "query", "name": spec.name, "query": query, "batch_definitions": batches}


def _close(engine: Any, *sources: Any) -> None:
    """Dispose of our engine and of those GX created for the datasource."""
    engine.dispose()
    for source in sources:
        source.get_engine().dispose()
        source.get_execution_engine().engine.dispose()


def _failure(spec: _Suite, check: Any) -> Failure:
    """A failed expectation: what GX counted and a few of the values it found."""
    config = check.expectation_config
    details = check.result or {}
    examples = list(details.get("partial_unexpected_list") or [])
    if spec.name == "reconciliation":
        # The check's own rows say what failed: its name, the expected and the actual value.
        examples = [list(row) for row in spec.rows if row[1] != row[2]]
    column = config.kwargs.get("column")
    return Failure(spec.name, config.type, column, details.get("unexpected_count"), examples[:5])
