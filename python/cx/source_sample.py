"""A sample extract of a new source, read as the contract reads extracts, and its columns' types.

``cx add-source`` (``cx.add_source``) writes a new extract's models from what this
module learns from a sample file: that it is the contract's CSV dialect (UTF-8,
comma, double quotes doubled inside a value, a header line of lower-case names),
that the key is there and unique, and which of the project's parsing rules
(``macros/staging/parse.sql``) each column takes.

Types come from DuckDB's CSV sniffer, reading every line (``sample_size = -1``).
DuckDB's casts are more lenient than the project's rules (``1_000`` is a
``BIGINT`` to DuckDB, not an integer to the contract), so every type the sniffer
proposes is then checked value by value against the project's rule, with the
rule's own patterns (below, as in ``parse.sql``). A column whose every filled
value passes gets the rule; any other column stays text, and the reason is
written beside it, with counts only: nothing here ever repeats a value, which is
customer data.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cx.extract_check import csv_problem
from cx.sql_text import identifier, string_literal

CONTRACT = "docs/contract/raw-extracts.md"

# The contract's CSV dialect, as the loader reads it (load_raw_extracts.sql, csv_reader_options).
READ_OPTIONS = (
    "header = true, delim = ',', quote = '\"', escape = '\"', strict_mode = true,"
    " encoding = 'utf-8'"
)

# The patterns of macros/staging/parse.sql, which the parse and check macros apply.
INTEGER_PATTERN = r"-?[0-9]+"
DECIMAL_PATTERN = r"-?[0-9]+(\.[0-9]{1,2})?"  # amount_decimal_places() = 2
UTC_OFFSET_PATTERN = r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$"

# Each typed rule: the DuckDB types the sniffer proposes for it, the rule in words, and
# the condition a (trimmed, filled) value must meet, as the parse macro reads it.
RULES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "integer": (
        (
            "TINYINT",
            "SMALLINT",
            "INTEGER",
            "BIGINT",
            "HUGEINT",
            "UTINYINT",
            "USMALLINT",
            "UINTEGER",
            "UBIGINT",
            "UHUGEINT",
        ),
        "plain digits within 64 bits (parse_integer)",
        f"regexp_full_match(value, '{INTEGER_PATTERN}') and try_cast(value as bigint) is not null",
    ),
    "decimal": (
        ("DOUBLE", "FLOAT"),
        "plain digits with at most 2 decimal places (parse_decimal)",
        f"regexp_full_match(value, '{DECIMAL_PATTERN}')"
        " and try_cast(value as decimal(18, 2)) is not null",
    ),
    "boolean": (
        ("BOOLEAN",),
        "true or false (parse_boolean)",
        "lower(value) in ('true', 'false')",
    ),
    "timestamp": (
        ("TIMESTAMP WITH TIME ZONE",),
        "ISO-8601 with a UTC offset (parse_timestamp_utc)",
        f"regexp_matches(value, '{UTC_OFFSET_PATTERN}')"
        " and try_cast(value as timestamptz) is not null",
    ),
}

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")


class SampleRefused(Exception):
    """The sample cannot become a source; the message names file, line and column."""


@dataclass(frozen=True)
class Column:
    """One column of the sample and the rule chosen for it."""

    name: str
    position: int  # 1-based, in the header line
    kind: str  # text, email, integer, decimal, timestamp, boolean
    filled: int  # lines with a value (not empty after trimming)
    lines: int  # lines in the sample
    why: str  # the choice, in words, with counts: written beside the column

    @property
    def is_nullable(self) -> bool:
        return self.filled < self.lines


@dataclass(frozen=True)
class Sample:
    path: Path
    columns: tuple[Column, ...]
    lines: int
    key_missing: int  # lines without a key value

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


def read_sample(path: Path, key: str, timestamp: str | None) -> Sample:
    """The sample at ``path``, checked and typed; ``SampleRefused`` when it cannot be a source
    with ``key`` (and ``timestamp``, the column whose latest value wins among a key's lines)."""
    if not path.is_file():
        raise SampleRefused(f"Sample {path} does not exist or is not a file.")
    if path.suffix.lower() != ".csv":
        raise SampleRefused(
            f"Sample {path} is not a .csv file: the command reads a sample in the contract's CSV"
            f" dialect ({CONTRACT}); export one as CSV (the build reads Parquet extracts too)."
        )
    if path.stat().st_size == 0:
        raise SampleRefused(f"Sample {path} is empty (0 bytes): it needs a header line and lines.")
    if problem := csv_problem(path):
        raise SampleRefused(problem.replace("Extract ", "Sample ", 1))
    _check_dialect(path)
    header = _header(path)
    for wanted, role in ((key, "key"), (timestamp, "timestamp")):
        if wanted is not None and wanted not in header:
            raise SampleRefused(
                f"Sample {path}: the {role} column {wanted} is not in the header line"
                f" (line 1, {len(header)} columns)."
            )
    key_missing = _check_key_unique(path, header.index(key) + 1, key)
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        detected = dict(
            con.sql(
                f"select column_name, column_type from (describe select * from read_csv("
                f"{string_literal(path)}, {READ_OPTIONS}, sample_size = -1))"
            ).fetchall()
        )
        # Read once, as text, into memory: every column's counts read this table.
        con.execute(
            f"create temp table sample_lines as select * from read_csv({string_literal(path)},"
            f" {READ_OPTIONS}, all_varchar = true)"
        )
        text = "sample_lines"
        lines = con.sql(f"select count(*) from {text}").fetchall()[0][0]
        columns = tuple(
            _typed(con, text, name, position, detected[name], lines)
            for position, name in enumerate(header, start=1)
        )
    sample = Sample(path, columns, lines, key_missing)
    if timestamp is not None and sample.column(timestamp).kind != "timestamp":
        raise SampleRefused(
            f"Sample {path}: the timestamp column {timestamp} (column"
            f" {header.index(timestamp) + 1}) is not a timestamp with a UTC offset in every"
            f" filled line ({sample.column(timestamp).why}); the latest of its values must"
            " choose among a key's lines."
        )
    return sample


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle), [])
    for position, name in enumerate(header, start=1):
        if not NAME_PATTERN.fullmatch(name):
            # Not shown: without a header line, the first line is customer data.
            raise SampleRefused(
                f"Sample {path}: line 1, column {position} is not a column name (lower-case"
                " letters, digits and _, starting with a letter), as the contract's header"
                " line requires; is the first line a header?"
            )
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name in seen:
            raise SampleRefused(
                f"Sample {path}: line 1, columns {seen[name]} and {position} have the same name."
            )
        seen[name] = position
    return header


def _check_dialect(path: Path) -> None:
    """The delimiter, quote and escape DuckDB's sniffer finds must be the contract's."""
    with duckdb.connect() as con:
        delimiter, quote, escape, has_header = con.sql(
            f"select Delimiter, Quote, Escape, HasHeader from sniff_csv({string_literal(path)},"
            " sample_size = -1)"
        ).fetchall()[0]
    found = {"delimiter": delimiter, "quote": quote, "escape": escape}
    contract = {"delimiter": {","}, "quote": {'"', "(empty)"}, "escape": {'"', "(empty)"}}
    for part, allowed in contract.items():
        if found[part] not in allowed:
            raise SampleRefused(
                f"Sample {path}: its {part} is {found[part]!r} where the contract's CSV dialect"
                f" has {sorted(allowed - {'(empty)'})[0]!r} (UTF-8, comma-separated, double"
                f" quotes, a quote inside a value doubled: {CONTRACT})."
            )
    if not has_header:
        raise SampleRefused(
            f"Sample {path}: DuckDB finds no header line at line 1; the contract requires one."
        )


def _check_key_unique(path: Path, position: int, key: str) -> int:
    """The lines without a key; ``SampleRefused`` naming the first two lines (by the line
    each record starts on) that share a key value. The value is not shown."""
    first_line: dict[str, int] = {}
    missing = 0
    previous_limit = csv.field_size_limit(sys.maxsize)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            start = reader.line_num + 1
            for record in reader:
                value = record[position - 1].strip()
                if not value:
                    missing += 1
                elif value in first_line:
                    raise SampleRefused(
                        f"Sample {path}: the key {key} (column {position}) is not unique: lines"
                        f" {first_line[value]} and {start} hold the same value. The command"
                        " reads the key from the sample: give it one export, each key once."
                    )
                else:
                    first_line[value] = start
                start = reader.line_num + 1
    finally:
        csv.field_size_limit(previous_limit)
    return missing


def _count(con: duckdb.DuckDBPyConnection, relation: str, condition: str) -> int:
    return con.sql(f"select count(*) from {relation} where {condition}").fetchall()[0][0]


def _typed(
    con: duckdb.DuckDBPyConnection, text: str, name: str, position: int, detected: str, lines: int
) -> Column:
    """The rule for one column: the sniffer's type when every filled value passes the
    project's rule for it, else text with the reason."""
    value = f"nullif(trim({identifier(name)}), '')"
    values = f"(select {value} as value from {text})"
    filled = _count(con, values, "value is not null")

    def column(kind: str, why: str) -> Column:
        return Column(name, position, kind, filled, lines, why)

    if filled == 0:
        return column("text", f"text: all {lines} values empty, nothing to infer a type from")

    def passing(condition: str) -> int:
        return _count(con, values, f"value is not null and ({condition})")

    def checked(kind: str, rule: str, condition: str) -> Column:
        passed = passing(condition)
        if passed == filled:
            return column(
                kind,
                f"{kind}, inferred from {passed}/{filled} filled values (DuckDB read {detected};"
                f" each is {rule}); {filled}/{lines} lines filled",
            )
        return column(
            "text",
            f"text: DuckDB read {detected}, but only {passed} of {filled} filled values are {rule}",
        )

    for kind, (types, rule, condition) in RULES.items():
        if detected in types or (kind == "decimal" and detected.startswith("DECIMAL")):
            return checked(kind, rule, condition)
    if detected == "TIMESTAMP":
        return column(
            "text",
            f"text: DuckDB read {detected} without a UTC offset; the contract's timestamps carry"
            " one, and a moment without it is not guessed",
        )
    if detected == "VARCHAR":
        partly = [(passing(condition), kind) for kind, (_, _, condition) in RULES.items()]
        passed, kind = max(partly)
        if passed:
            return column(
                "text",
                f"text: mixed, DuckDB read VARCHAR; {passed} of {filled} filled values are"
                f" {kind} by the project's rule, the others not",
            )
        if "email" in name:
            return column(
                "email",
                f"text, normalised as an email (named like one): {filled}/{lines} lines filled",
            )
        return column(
            "text", f"text: DuckDB read VARCHAR, no typed rule fits; {filled}/{lines} lines filled"
        )
    return column(
        "text",
        f"text: DuckDB read {detected}, for which macros/staging/parse.sql has no rule",
    )
