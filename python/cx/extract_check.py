"""What is wrong with a raw extract DuckDB cannot read, in the project's words.

DuckDB's CSV reader stops on a file it cannot parse with a message written for
DuckDB users: a dialect it "could not detect", reader options to try, and the
text of the offending line, which is customer data (up to the rest of the
file when a quote is never closed). The loader (``load_raw_extracts``) asks
``extract_problem`` first, through a DuckDB function that the dbt plugin
``cx.dbt_plugin`` registers, so plain ``dbt build`` runs are covered as well
as ``cx build``.

Each new CSV file is checked for UTF-8 with Python's own decoder (DuckDB reads
a byte that is not UTF-8 into a garbled value when it skips malformed lines),
then read by DuckDB exactly as the load reads it (``cx.malformed_lines``): a
malformed record is a row defect the base model quarantines, unless more than
the allowed share of the file's lines is malformed, which makes the file
corrupt. Only when DuckDB cannot read a file at all is it examined here with
Python's ``csv`` module, to name the file, the line, the column and the kind of
defect: never the text.
"""

from __future__ import annotations

import csv
import itertools
import sys
from pathlib import Path

import duckdb

from cx import malformed_lines, paths
from cx.sql_text import string_literal

CONTRACT = "docs/contract/raw-extracts.md"
_CHUNK_BYTES = 1 << 20


def extract_files_problem(
    files: list[str], columns: list[str], csv_options: str, max_share: float = 0.01
) -> str | None:
    """None when every file of ``files`` reads as the build reads it (``read_csv`` in the
    contract's dialect ``csv_options``, or ``read_parquet``), has every contract column of
    ``columns`` and, for CSV, no more than ``max_share`` of its lines in malformed records
    (``cx.malformed_lines``: those are quarantined, not a reason to stop); else the first
    problem, files taken in order.

    All the CSV files are read in one pass (one statement per distinct header line): an
    extract that is a folder of hundreds of daily files is checked at once, not one
    connection per file. Only when DuckDB cannot read them at all is each file examined
    alone, to name the one at fault.
    """
    for path in files:
        if Path(path).stat().st_size == 0:
            return extract_problem(path, _reader(path, csv_options))
    csv_files = [path for path in files if not path.endswith(".parquet")]
    parquet_files = [path for path in files if path.endswith(".parquet")]
    for path in csv_files:
        # DuckDB reads a byte that is not UTF-8 into a garbled value rather than rejecting
        # its line (measured), so the encoding is checked here, line by line.
        if problem := _encoding_problem(Path(path)):
            return problem
        header = malformed_lines.csv_header(path)
        if header is None:
            return csv_problem(Path(path)) or _unreadable(path, "its header line")
        if missing := _missing(header.names, columns):
            return _missing_problem(path, missing, columns, len(header.names))
    if parquet_files and not _all_read(parquet_files, csv_options):
        for path in parquet_files:
            if problem := extract_problem(path, _reader(path, csv_options)):
                return problem
    with duckdb.connect(config=paths.duckdb_settings()) as con:
        for path in parquet_files:
            described = con.sql(f"describe select * from {_reader(path, csv_options)}")
            present = [row[0] for row in described.fetchall()]
            if missing := _missing(present, columns):
                return _missing_problem(path, missing, columns, len(present))
    if not csv_files:
        return None
    try:
        scanned = malformed_lines.scan_csv_files(csv_files, csv_options)
    except duckdb.Error as error:
        for path in csv_files:
            if problem := csv_problem(Path(path)):
                return problem
        return _unreadable(csv_files[0], f"a {type(error).__name__} from DuckDB")
    for file_lines in scanned:
        if file_lines.is_corrupt(max_share):
            return file_lines.problem(max_share)
    return None


def _missing(present: list[str], columns: list[str]) -> list[str]:
    return [column for column in columns if column not in present]


def _missing_problem(path: str, missing: list[str], columns: list[str], present: int) -> str:
    return (
        f"Extract {path} is missing column(s) {', '.join(missing)}. The contract"
        f" requires: {', '.join(columns)}. Its header line has {present}"
        " column(s); their names are not shown, as a file without its header line"
        " would show a line of data."
    )


def _unreadable(path: str, what: str) -> str:
    return (
        f"Extract {path} cannot be read as CSV (comma-separated, double quotes, UTF-8,"
        f" {CONTRACT}): {what} this check cannot place in the file."
    )


def _reader(path: str, csv_options: str) -> str:
    if path.endswith(".parquet"):
        return f"read_parquet({string_literal(path)})"
    return f"read_csv({string_literal(path)}, {csv_options})"


def _all_read(files: list[str], csv_options: str) -> bool:
    """True when DuckDB reads every Parquet file of ``files`` in one statement."""
    parquet_files = [string_literal(f) for f in files if f.endswith(".parquet")]
    try:
        with duckdb.connect(config=paths.duckdb_settings()) as con:
            con.sql(f"select count(*) from read_parquet([{', '.join(parquet_files)}])").fetchall()
    except duckdb.Error:
        return False
    return True


def extract_problem(path: str, reader_sql: str) -> str | None:
    """None when DuckDB reads ``path`` with ``reader_sql``; else what is wrong with it."""
    file = Path(path)
    if file.stat().st_size == 0:
        return (
            f"Extract {path} is empty (0 bytes): the contract requires at least the header "
            f"line, even when there are no rows ({CONTRACT})."
        )
    try:
        with duckdb.connect(config=paths.duckdb_settings()) as con:
            con.sql(f"select count(*) from {reader_sql}").fetchall()
    except duckdb.Error as error:
        kind = type(error).__name__
        if file.suffix == ".parquet":
            return f"Extract {path} cannot be read as Parquet (DuckDB: {kind})."
        return csv_problem(file) or (
            f"Extract {path} cannot be read as CSV (comma-separated, double quotes, UTF-8,"
            f" {CONTRACT}); DuckDB stopped with a {kind} this check cannot place in the file."
        )
    return None


def csv_problem(path: Path) -> str | None:
    """The first encoding or structure defect of a CSV file, or None when it has none."""
    return _encoding_problem(path) or _structure_problem(path)


def _encoding_problem(path: Path) -> str | None:
    """Where the file stops being UTF-8: line and column (1-based), and the byte."""
    lines_before = 0
    carry = b""
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_CHUNK_BYTES)
            data = carry + chunk
            # Decode whole lines only: a newline byte is never part of a longer UTF-8
            # character, so no character is cut in two.
            cut = data.rfind(b"\n") + 1 if chunk else len(data)
            piece, carry = data[:cut], data[cut:]
            try:
                piece.decode("utf-8")
            except UnicodeDecodeError as error:
                before = piece[: error.start]
                line = lines_before + before.count(b"\n") + 1
                column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8")) + 1
                return (
                    f"Extract {path} is not valid UTF-8: line {line}, column {column} holds"
                    f" byte 0x{piece[error.start]:02X}, which UTF-8 does not allow there."
                    f" The contract requires UTF-8 ({CONTRACT}): re-export the file as UTF-8"
                    " (a latin-1 or Windows-1252 export is the usual cause)."
                )
            lines_before += piece.count(b"\n")
            if not chunk:
                return None


def _structure_problem(path: Path) -> str | None:
    """The first record that is not CSV as the contract writes it, by its first line."""
    previous_limit = csv.field_size_limit(sys.maxsize)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter=",", quotechar='"', strict=True)
            header: list[str] | None = None
            while True:
                start = reader.line_num + 1
                try:
                    record = next(reader)
                except StopIteration:
                    return None
                except csv.Error as error:
                    return _quote_problem(path, start, str(error), header)
                if header is None:
                    header = record
                elif record and len(record) != len(header):
                    return (
                        f"Extract {path}: line {start} has {len(record)} values where the"
                        f" header has {len(header)} ({_names_beyond(record, header)})."
                    )
    finally:
        csv.field_size_limit(previous_limit)


def _names_beyond(record: list[str], header: list[str]) -> str:
    if len(record) < len(header):
        return "missing: " + ", ".join(header[len(record) :])
    return f"{len(record) - len(header)} beyond the last column, {header[-1]}"


def _quote_problem(path: Path, start: int, reason: str, header: list[str] | None) -> str:
    column = _open_quote_column(path, start, header)
    where = f"line {start}" + (f", column {column}" if column else "")
    if reason == "unexpected end of data":
        return (
            f"Extract {path}: the quoted value opened on {where} is never closed; it runs to"
            ' the end of the file. Quotes inside a value must be doubled ("").'
        )
    return (
        f"Extract {path}: the record starting on {where} is not valid CSV (a closing quote"
        " must be followed by a comma or the end of the line; quotes inside a value must be"
        ' doubled ("")).'
    )


def _open_quote_column(path: Path, line_number: int, header: list[str] | None) -> str | None:
    """The header name of the value whose quote is still open at the end of a line."""
    with path.open(encoding="utf-8", newline="") as handle:
        text = next(itertools.islice(handle, line_number - 1, None), None)
    if text is None:
        return None
    field, quoted, at_field_start = 0, False, True
    for character in text.rstrip("\r\n"):
        if character == '"' and (quoted or at_field_start):
            quoted = not quoted
        elif character == "," and not quoted:
            field += 1
            at_field_start = True
            continue
        at_field_start = False
    if not quoted or header is None:
        return None
    return header[field] if field < len(header) else f"value {field + 1}"
