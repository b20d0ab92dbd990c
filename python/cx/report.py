"""The run report printed at the end of every build: where every raw line went.

Every line read is staged, quarantined or superseded; the quarantined include the
malformed CSV records DuckDB's reader rejected (`malformed_csv_line`), each one
line read. The report says so, and says NOT RECONCILED where its figures disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class ExtractCounts:
    extract_name: str
    rows_read: int
    rows_staged: int
    rows_quarantined: int  # a defect of its own, or a conflicting duplicate
    rows_superseded: int
    rows_malformed: int = 0  # of the quarantined: malformed CSV records DuckDB's reader rejected


@dataclass(frozen=True)
class RunReport:
    extracts: list[ExtractCounts]
    quarantined: list[tuple[str, str, str, int]]  # extract, column, reason, lines
    quarantined_lines: dict[str, int]  # extract -> lines in audit.quarantined_rows
    # extract -> malformed CSV records in audit.quarantined_rows
    malformed_lines: dict[str, int] = field(default_factory=dict)
    # extract -> lines of erased persons dropped as loaded (the suppression list)
    suppressed_lines: dict[str, int] = field(default_factory=dict)

    def unreconciled(self) -> list[tuple[str, int, int]]:
        """Extracts whose quarantined count differs from the lines in the quarantine:
        (extract, counted, listed). Empty after a build whose audit tests passed."""
        counted = {e.extract_name: e.rows_quarantined for e in self.extracts}
        return _differences(counted, self.quarantined_lines)

    def unreconciled_malformed(self) -> list[tuple[str, int, int]]:
        """Extracts whose malformed count differs from the malformed CSV records in the
        quarantine: (extract, counted, listed)."""
        counted = {e.extract_name: e.rows_malformed for e in self.extracts}
        return _differences(counted, self.malformed_lines)

    def unbalanced(self) -> list[tuple[str, int, int]]:
        """Extracts whose lines read are not their lines staged, quarantined and
        superseded: (extract, read, accounted for)."""
        return [
            (e.extract_name, e.rows_read, accounted)
            for e in self.extracts
            if e.rows_read != (accounted := e.rows_staged + e.rows_quarantined + e.rows_superseded)
        ]


def _differences(counted: dict[str, int], listed: dict[str, int]) -> list[tuple[str, int, int]]:
    return [
        (name, counted.get(name, 0), listed.get(name, 0))
        for name in sorted(set(counted) | set(listed))
        if counted.get(name, 0) != listed.get(name, 0)
    ]


def read_report(database: Path) -> RunReport:
    """Read the audit models of a finished build."""
    with duckdb.connect(str(database), read_only=True) as con:
        extracts = [
            ExtractCounts(*row)
            for row in con.sql(
                "select extract_name, rows_read, rows_staged, rows_quarantined, rows_superseded,"
                " rows_malformed from audit.extract_row_counts order by extract_name"
            ).fetchall()
        ]
        quarantined = con.sql(
            "select extract_name, column_name, reason, count(*)"
            " from audit.quarantined_rows group by all order by 1, 4 desc, 2, 3"
        ).fetchall()
        lines = con.sql(
            "select extract_name, count(*) from audit.quarantined_rows"
            " where defect_number = 1 group by all"
        ).fetchall()
        malformed = con.sql(
            "select extract_name, count(*) from audit.quarantined_rows"
            " where defect_number = 1 and reason = 'malformed_csv_line' group by all"
        ).fetchall()
        has_suppressed = con.sql(
            "select count(*) from duckdb_tables()"
            " where schema_name = 'raw' and table_name = 'suppressed_line_counts'"
        ).fetchall()[0][0]
        suppressed = (
            con.sql(
                "select extract_name, lines_suppressed from raw.suppressed_line_counts"
            ).fetchall()
            if has_suppressed
            else []
        )
    return RunReport(extracts, quarantined, dict(lines), dict(malformed), dict(suppressed))


def format_report(report: RunReport) -> str:
    width = max([len(e.extract_name) for e in report.extracts] + [7])
    lines = [
        "Extracts",
        f"  {'extract':<{width}} {'read':>10} {'staged':>10} {'quarantined':>11}"
        f" {'superseded':>11} {'(malformed)':>11}",
    ]
    for e in report.extracts:
        lines.append(
            f"  {e.extract_name:<{width}} {e.rows_read:>10,} {e.rows_staged:>10,}"
            f" {e.rows_quarantined:>11,} {e.rows_superseded:>11,} {e.rows_malformed:>11,}"
        )
    if any(report.suppressed_lines.values()):
        lines.append(
            "Lines of erased persons dropped as loaded (the suppression list; not read,"
            " not kept): "
            + ", ".join(
                f"{extract} {count:,}"
                for extract, count in sorted(report.suppressed_lines.items())
                if count
            )
        )
    lines.append("Quarantined lines per column and reason (audit.quarantined_rows)")
    if not report.quarantined:
        lines.append("  none")
    for extract, column, reason, rows in report.quarantined:
        lines.append(f"  {extract:<{width}} {column:<22} {reason:<30} {rows:>8,}")
    for extract, counted, listed in report.unreconciled():
        lines.append(
            f"  NOT RECONCILED: {extract} counts {counted:,} quarantined lines"
            f" but audit.quarantined_rows holds {listed:,}"
        )
    for extract, counted, listed in report.unreconciled_malformed():
        lines.append(
            f"  NOT RECONCILED: {extract} counts {counted:,} malformed lines"
            f" but audit.quarantined_rows holds {listed:,}"
        )
    for extract, read, accounted in report.unbalanced():
        lines.append(
            f"  NOT RECONCILED: {extract} read {read:,} lines but staged, quarantined and"
            f" superseded {accounted:,}"
        )
    return "\n".join(lines)
