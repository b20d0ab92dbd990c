"""Malformed CSV lines: read around them, keep them, and tell a corrupt file apart.

A line of an extract that is not CSV as the contract writes it (a quote never
closed, more or fewer values than the header) is a row defect, not a reason to
stop the run (DECISIONLOG.md, "Malformed lines"). DuckDB's CSV reader skips such
a record and keeps it in its rejects tables (``store_rejects``): ``reject_scans``
names the file, ``reject_errors`` the record's number, the byte where its line
starts, the column and the kind of error, and the record's text (``csv_line``,
customer data: kept in the quarantine, never printed).

Every CSV extract is read in the contract's dialect, never sniffed: DuckDB's
sniffer gives up on a sample that holds a malformed line, so each file is read
with the column names of its own header line (``auto_detect = false``), files
with the same header line in one ``read_csv``.

DuckDB numbers a rejected record by records, not by lines of the file: a value
with a line break inside, or a quote left open, makes the two differ. The lines
named here are the file's own lines (1 is the header), counted from the byte
where the record starts. A record whose quote is never closed runs on over the
lines after it; how many lines of a file are not in any typed line is exact
(``FileLines.lines_rejected``): the file's lines, less those of the records read.

A file of which more than a set share of the lines is rejected
(``malformed_line_max_share``, dbt_project.yml) is corrupt: the run stops before
anything is built, naming the file and its first malformed lines by number.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from cx import paths
from cx.sql_text import string_literal

REASON = "malformed_csv_line"
# The reason_detail of DuckDB's error types, in the contract's words.
_DETAILS = {
    "UNQUOTED VALUE": "a quoted value is not closed where it should be (quotes inside a value"
    " must be doubled); the record may run on over the lines after it",
    "TOO MANY COLUMNS": "more values than the header has columns",
    "MISSING COLUMNS": "fewer values than the header has columns",
    "LINE SIZE OVER MAXIMUM": "a record longer than the reader's maximum line size",
    "INVALID ENCODING": "bytes that are not UTF-8",
}
# How many malformed lines a corrupt file's message names.
NAMED_LINES = 10
_BLOCK_BYTES = 1 << 20


def error_detail(error_type: str) -> str:
    """What a DuckDB CSV error type means for the line, in the contract's words."""
    return _DETAILS.get(error_type, f"not CSV as the contract writes it ({error_type.lower()})")


def line_numbers(path: str, byte_positions: list[int]) -> list[int]:
    """The line of the file (1-based, the header is line 1) on which each byte offset of
    ``byte_positions`` stands, in one pass over the file. DuckDB's ``line_byte_position``
    points into the record's first line (measured: one byte after its start), so the
    line breaks before it place it."""
    order = sorted(range(len(byte_positions)), key=lambda i: byte_positions[i])
    numbers = [0] * len(byte_positions)
    breaks_before = 0
    offset = 0
    next_index = 0
    with Path(path).open("rb") as handle:
        while next_index < len(order):
            block = handle.read(_BLOCK_BYTES)
            end = offset + len(block)
            while next_index < len(order) and (
                byte_positions[order[next_index]] < end or not block
            ):
                position = byte_positions[order[next_index]]
                numbers[order[next_index]] = (
                    breaks_before + block.count(b"\n", 0, max(position - offset, 0)) + 1
                )
                next_index += 1
            if not block:
                break
            breaks_before += block.count(b"\n")
            offset = end
    return numbers


def count_lines(path: str) -> int:
    """The lines of the file: its line breaks, and one more when the last line has none."""
    lines = 0
    last = b""
    with Path(path).open("rb") as handle:
        while block := handle.read(_BLOCK_BYTES):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (1 if last not in (b"", b"\n") else 0)


@dataclass(frozen=True)
class Header:
    names: list[str]
    lines: int  # lines of the file the header record takes (1 unless a name holds a break)


def csv_header(path: str) -> Header | None:
    """The header record of a CSV file as the contract writes it (UTF-8, a byte-order mark
    ignored), or None when the file has no complete header record."""
    previous_limit = csv.field_size_limit(sys.maxsize)
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=",", quotechar='"', strict=True)
            try:
                names = next(reader)
            except (StopIteration, csv.Error, UnicodeDecodeError):
                return None
            return Header(names, reader.line_num)
    finally:
        csv.field_size_limit(previous_limit)


def csv_readers(files: list[str], csv_options: str) -> list[str]:
    """``read_csv`` calls that read ``files`` in the contract's dialect (``csv_options``),
    unsniffed: one call per distinct header line, its columns named from it, every value
    text, rejected records kept in DuckDB's rejects tables and each line's file in
    ``_file_name``. A file without a readable header is left out (the check names it)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for path in files:
        header = csv_header(path)
        if header is not None and header.names:
            groups.setdefault(tuple(header.names), []).append(path)
    readers = []
    for names, paths_of_group in groups.items():
        columns = ", ".join(f"{string_literal(name)}: 'VARCHAR'" for name in names)
        readers.append(
            f"read_csv([{', '.join(string_literal(p) for p in paths_of_group)}], {csv_options},"
            f" auto_detect = false, columns = {{{columns}}}, store_rejects = true,"
            " filename = '_file_name')"
        )
    return readers


@dataclass(frozen=True)
class RejectedLine:
    line: int  # the file's line (1 is the header) where the rejected record starts
    column: str | None
    detail: str


@dataclass
class FileLines:
    """How the lines of one CSV file fared in a read."""

    file: str
    lines: int  # the file's lines after its header
    lines_read: int = 0  # lines inside the records read (a value may hold line breaks)
    rejected: list[RejectedLine] = field(default_factory=list)

    @property
    def lines_rejected(self) -> int:
        """Lines in no record read: those of the rejected records, and any they ran over."""
        return self.lines - self.lines_read

    def is_corrupt(self, max_share: float) -> bool:
        """More than ``max_share`` of the lines rejected; a file whose every line is
        rejected is corrupt at any share under 1."""
        return self.lines > 0 and self.lines_rejected > max_share * self.lines

    def problem(self, max_share: float) -> str:
        """Why the file stops the run: its share of malformed lines and the first of them,
        by line and column, never their text."""
        named = "; ".join(
            f"line {r.line:,}" + (f", column {r.column}" if r.column else "") + f": {r.detail}"
            for r in self.rejected[:NAMED_LINES]
        )
        more = len(self.rejected) - NAMED_LINES
        return (
            f"Extract {self.file} is corrupt: {self.lines_rejected:,} of its {self.lines:,}"
            f" lines ({self.lines_rejected / self.lines:.2%}) are in malformed records (not CSV"
            f" as the contract writes it), more than the {max_share:.2%} a file may have (dbt"
            f" var malformed_line_max_share). First malformed records: {named}"
            + (f"; and {more:,} more" if more > 0 else "")
            + ". Nothing was built; re-export the file."
        )


def scan_csv_files(files: list[str], csv_options: str) -> list[FileLines]:
    """Read ``files`` as the build reads them and account for every line of each: the
    lines of the records read, and the records rejected, by the line each starts on.
    Raises ``duckdb.Error`` when DuckDB cannot read them at all."""
    found = {path: FileLines(path, _lines_after_header(path)) for path in files}
    readers = csv_readers(files, csv_options)
    with duckdb.connect(config=paths.duckdb_settings()) as con:
        for reader in readers:
            counted = con.sql(
                "select _file_name, count(*) + coalesce(sum(length(line) - length(replace(line,"
                " chr(10), ''))), 0) from (select _file_name, concat(*columns(* exclude"
                f" (_file_name))) as line from {reader}) group by _file_name"
            ).fetchall()
            for path, lines in counted:
                found[path].lines_read += int(lines)
        rejected = rejected_records(con, 0)
    for path, records in rejected.items():
        numbers = line_numbers(path, [position for position, _, _ in records])
        found[path].rejected = [
            RejectedLine(number, column, error_detail(error))
            for number, (_, column, error) in sorted(zip(numbers, records, strict=True))
        ]
    return [found[path] for path in files]


def rejected_records(
    con: duckdb.DuckDBPyConnection, after_scan: int
) -> dict[str, list[tuple[int, str | None, str]]]:
    """The records DuckDB rejected in this connection's scans after ``after_scan``, per
    file: (byte where the record's line starts, column, error type), one per record (the
    first error DuckDB gave it). Never the record's text."""
    exists = con.sql(
        "select count(*) from duckdb_tables() where temporary and table_name = 'reject_errors'"
    ).fetchall()[0][0]
    if not exists:
        return {}
    rows = con.sql(
        "select scans.file_path, min(errors.line_byte_position),"
        " arg_min(errors.column_name, [errors.byte_position, errors.column_idx]),"
        " arg_min(errors.error_type::varchar, [errors.byte_position, errors.column_idx])"
        " from reject_errors as errors inner join reject_scans as scans"
        " using (scan_id, file_id)"
        f" where errors.scan_id > {int(after_scan)}"
        " group by scans.file_path, errors.line order by 1, 2"
    ).fetchall()
    records: dict[str, list[tuple[int, str | None, str]]] = {}
    for path, position, column, error in rows:
        records.setdefault(path, []).append((int(position), column, error))
    return records


def _lines_after_header(path: str) -> int:
    header = csv_header(path)
    return max(count_lines(path) - (header.lines if header else 0), 0)
