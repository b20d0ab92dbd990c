"""Reading the published marts for the report: the BI file only, read-only.

The report shows exactly what passed the quality gate, so it never opens the build
database. Rows come back as JSON-ready dictionaries: dates as ISO text, decimals as
floats (for drawing only: every figure the page prints comes from the same value),
and a non-finite float as null, since JSON has no NaN.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from cx import paths

Rows = list[dict[str, Any]]


def _json_value(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class PublishedMarts:
    """A read-only connection to a BI file and what its publication holds."""

    def __init__(self, bi_database: Path) -> None:
        self.database = bi_database
        self._con = duckdb.connect(str(bi_database), read_only=True)
        self.marts: dict[str, int] = {}
        if self._has_table("meta", "published_marts"):
            published = self._con.sql("select mart, row_count from meta.published_marts")
            self.marts = dict(published.fetchall())
        self.published_at: str | None = None
        if self._has_table("meta", "publication"):
            stamp = self._con.sql("select published_at from meta.publication").fetchall()
            self.published_at = f"{stamp[0][0]:%Y-%m-%d %H:%M} UTC" if stamp else None

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> PublishedMarts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _has_table(self, schema: str, table: str) -> bool:
        return bool(
            self._con.execute(
                "select 1 from duckdb_tables() where schema_name = ? and table_name = ?",
                [schema, table],
            ).fetchall()
        )

    def description(self, mart: str) -> str:
        """The mart's published description (its DuckDB comment), empty without one."""
        comment = self._con.execute(
            "select comment from duckdb_tables() where schema_name = ? and table_name = ?",
            [paths.MARTS_SCHEMA, mart],
        ).fetchall()
        return (comment[0][0] or "") if comment else ""

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> Rows:
        """The result of ``sql`` (over ``marts.<mart>``) as JSON-ready dictionaries."""
        relation = self._con.execute(sql, list(parameters))
        names = [column[0] for column in relation.description]
        return [
            {name: _json_value(value) for name, value in zip(names, row, strict=True)}
            for row in relation.fetchall()
        ]

    def value(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        """The one value ``sql`` returns."""
        return _json_value(self._con.execute(sql, list(parameters)).fetchall()[0][0])

    def histogram(self, mart: str, column: str, bins: int = 20) -> Rows:
        """Customers per bin of ``column`` over its non-null values: DuckDB's
        ``equi_width_bins`` (about ``bins`` bins with round bounds) and ``histogram``; a
        bin holds the values above its lower bound up to its upper bound. Empty without
        values; one row when every value is the same."""
        table = f"{paths.MARTS_SCHEMA}.{mart}"
        low, high = self._con.sql(
            f"select min({column})::double, max({column})::double from {table}"
        ).fetchall()[0]
        if low is None:
            return []
        bounds = self._con.execute(
            "select equi_width_bins(?::double, ?::double, ?, true)", [low, high, bins]
        ).fetchall()[0][0]
        counts = self._con.execute(
            f"select histogram({column}::double, ?::double[]) from {table}", [bounds]
        ).fetchall()[0][0]
        uppers = list(bounds)
        # The first bin is as wide as the next (its lower bound at or below the smallest
        # value); a single bin (every value the same) starts at that value.
        first = uppers[0] - (uppers[1] - uppers[0]) if len(uppers) > 1 else low
        lowers = [first, *uppers[:-1]]
        return [
            {"bin_start": lower, "bin_end": upper, "customers": counts.get(upper, 0)}
            for lower, upper in zip(lowers, uppers, strict=True)
        ]
