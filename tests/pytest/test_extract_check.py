"""What the loader says about an extract DuckDB cannot read: file, line, column, never text."""

from __future__ import annotations

import duckdb

from cx.extract_check import csv_problem, extract_problem
from cx.sql_text import identifier, string_literal

HEADER = "order_id,contact_id,comment\n"
READ = (
    "read_csv({path}, header = true, all_varchar = true, delim = ',', quote = '\"',"
    " escape = '\"', strict_mode = true, encoding = 'utf-8')"
)


def _reader(path) -> str:
    return READ.format(path=string_literal(path))


def test_string_literal_and_identifier_keep_quotes_inside():
    assert string_literal("/data/it's here") == "'/data/it''s here'"
    assert identifier('build "x"') == '"build ""x"""'
    value = "it's 'quoted'"
    with duckdb.connect() as con:
        assert con.sql(f"select {string_literal(value)}").fetchall() == [(value,)]


def test_a_readable_file_has_no_problem(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + 'O1,C1,"a ""quoted"", multi\nline value"\n', encoding="utf-8")
    assert extract_problem(str(path), _reader(path)) is None


def test_an_empty_file(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(b"")
    assert extract_problem(str(path), _reader(path)) == (
        f"Extract {path} is empty (0 bytes): the contract requires at least the header line,"
        " even when there are no rows (docs/contract/raw-extracts.md)."
    )


def test_a_byte_that_is_not_utf8_is_placed_by_line_and_column(tmp_path):
    path = tmp_path / "orders.csv"
    # Line 3 is "O2,C2,caf" + 0xE9: the byte is its 10th character.
    path.write_bytes(HEADER.encode() + b"O1,C1,ok\nO2,C2,caf\xe9\n")
    problem = extract_problem(str(path), _reader(path))
    assert problem.startswith(
        f"Extract {path} is not valid UTF-8: line 3, column 10 holds byte 0xE9"
    )
    assert "caf" not in problem


def test_the_line_of_a_bad_byte_is_counted_across_read_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr("cx.extract_check._CHUNK_BYTES", 7)
    path = tmp_path / "orders.csv"
    # "é" is two bytes in UTF-8 (0xC3 0xA9): a chunk of 7 bytes cuts it, which is fine.
    lines = [HEADER.encode(), "O1,C1,été\n".encode(), b"O2,C2,x\n", b"O3,C3,ab\xff\n"]
    path.write_bytes(b"".join(lines))
    assert csv_problem(path).startswith(
        f"Extract {path} is not valid UTF-8: line 4, column 9 holds byte 0xFF"
    )


def test_an_unterminated_quote_names_its_line_and_column(tmp_path):
    path = tmp_path / "orders.csv"
    secret = "someone@private.example"
    path.write_text(
        HEADER + 'O1,C1,fine\nO2,C2,"never closed\n' + f"O3,{secret},x\n" * 50,
        encoding="utf-8",
    )
    problem = extract_problem(str(path), _reader(path))
    assert problem == (
        f"Extract {path}: the quoted value opened on line 3, column comment is never closed;"
        ' it runs to the end of the file. Quotes inside a value must be doubled ("").'
    )


def test_a_record_with_more_values_than_the_header(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "O1,C1,a\nO2,C2,b,c\n", encoding="utf-8")
    assert csv_problem(path) == (
        f"Extract {path}: line 3 has 4 values where the header has 3"
        " (1 beyond the last column, comment)."
    )


def test_an_unreadable_parquet_file(tmp_path):
    path = tmp_path / "orders.parquet"
    path.write_bytes(b"not parquet at all")
    problem = extract_problem(str(path), f"read_parquet({string_literal(path)})")
    assert problem.startswith(f"Extract {path} cannot be read as Parquet (DuckDB: ")


def test_a_failing_check_names_the_file_and_the_failure_only(tmp_path, monkeypatch):
    from cx import dbt_plugin

    def fails(path: str, reader_sql: str) -> str | None:
        raise ValueError("someone@private.example on line 3")

    monkeypatch.setattr(dbt_plugin, "extract_problem", fails)
    path = tmp_path / "orders.csv"
    assert dbt_plugin.checked_extract_problem(str(path), _reader(path)) == (
        f"Extract {path} could not be checked (ValueError)."
    )
    # A file that vanished between glob and check is such a failure, not a crash.
    monkeypatch.undo()
    assert dbt_plugin.checked_extract_problem(str(path), _reader(path)) == (
        f"Extract {path} could not be checked (FileNotFoundError)."
    )
