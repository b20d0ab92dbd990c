"""The run report printed at the end of every build: where every raw line went."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class ExtractCounts:
    extract_name: str
    rows_read: int
    rows_staged: int
    rows_with_defects: int
    rows_superseded: int


@dataclass(frozen=True)
class RunReport:
    extracts: list[ExtractCounts]
    quarantined: list[tuple[str, str, str, int]]  # extract, column, reason, rows


def read_report(database: Path) -> RunReport:
    """Read the audit models of a finished build."""
    with duckdb.connect(str(database), read_only=True) as con:
        extracts = [
            ExtractCounts(*row)
            for row in con.sql(
                "select extract_name, rows_read, rows_staged, rows_with_defects, rows_superseded"
                " from audit.extract_row_counts order by extract_name"
            ).fetchall()
        ]
        quarantined = con.sql(
            "select extract_name, column_name, reason, count(*)"
            " from audit.quarantined_rows group by all order by 1, 4 desc, 2, 3"
        ).fetchall()
    return RunReport(extracts, quarantined)


def format_report(report: RunReport) -> str:
    width = max([len(e.extract_name) for e in report.extracts] + [7])
    lines = [
        "Extracts",
        f"  {'extract':<{width}} {'read':>10} {'staged':>10} {'defects':>10} {'superseded':>11}",
    ]
    for e in report.extracts:
        lines.append(
            f"  {e.extract_name:<{width}} {e.rows_read:>10,} {e.rows_staged:>10,}"
            f" {e.rows_with_defects:>10,} {e.rows_superseded:>11,}"
        )
    lines.append("Quarantined lines (audit.quarantined_rows)")
    if not report.quarantined:
        lines.append("  none")
    for extract, column, reason, rows in report.quarantined:
        lines.append(f"  {extract:<{width}} {column:<22} {reason:<30} {rows:>8,}")
    return "\n".join(lines)
