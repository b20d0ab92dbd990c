"""What the loader says about an extract DuckDB cannot read: file, line, column, never text."""

from __future__ import annotations

import duckdb

from cx.extract_check import csv_problem, extract_files_problem, extract_problem
from cx.sql_text import identifier, string_literal

HEADER = "order_id,contact_id,comment\n"
READ = (
    "read_csv({path}, header = true, all_varchar = true, delim = ',', quote = '\"',"
    " escape = '\"', strict_mode = true, encoding = 'utf-8')"
)


# The loader's CSV options (macro csv_reader_options).
OPTIONS = (
    "header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"',"
    " strict_mode = true, encoding = 'utf-8'"
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

    def fails(files: list[str], columns: list[str], csv_options: str, share: float) -> str | None:
        raise ValueError("someone@private.example on line 3")

    monkeypatch.setattr(dbt_plugin, "extract_files_problem", fails)
    path = tmp_path / "orders.csv"
    assert dbt_plugin.checked_extract_files_problem([str(path)], ["order_id"], OPTIONS) == (
        f"Extract {path} could not be checked (ValueError)."
    )
    # A file that vanished between glob and check is such a failure, not a crash.
    monkeypatch.undo()
    assert dbt_plugin.checked_extract_files_problem([str(path)], ["order_id"], OPTIONS) == (
        f"Extract {path} could not be checked (FileNotFoundError)."
    )
    other = tmp_path / "more.csv"
    assert dbt_plugin.checked_extract_files_problem(
        [str(path), str(other)], ["order_id"], OPTIONS
    ) == (f"Extract 2 files from {path} could not be checked (FileNotFoundError).")


def _folder(tmp_path, contents: dict[str, str]) -> list[str]:
    files = []
    for name, text in contents.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(str(tmp_path / name))
    return files


def test_files_of_a_folder_are_checked_together_and_the_one_at_fault_is_named(tmp_path):
    files = _folder(tmp_path, {
        "2025-01-01.csv": HEADER + "O1,C1,fine\n",
        "2025-01-02.csv": "contact_id,order_id,comment,extra\nC2,O2,columns in another order,x\n",
        "2025-01-03.csv": HEADER + 'O3,C3,"someone@private.example\n',
    })  # fmt: skip
    columns = ["order_id", "contact_id", "comment"]
    assert extract_files_problem(files[:2], columns, OPTIONS) is None
    problem = extract_files_problem(files, columns, OPTIONS)
    # The file's only line is a record whose quote is never closed: 1 of 1 lines, corrupt.
    assert problem.startswith(f"Extract {files[2]} is corrupt: 1 of its 1 lines (100.00%)")
    assert "First malformed records: line 2, column comment: a quoted value" in problem
    assert "private" not in problem


def test_a_file_of_a_folder_without_a_contract_column_is_named(tmp_path):
    files = _folder(tmp_path, {
        "2025-01-01.csv": HEADER + "O1,C1,fine\n",
        "2025-01-02.csv": "order_id,comment\nO2,no contact column\n",
        "2025-01-03.csv": "",
    })  # fmt: skip
    columns = ["order_id", "contact_id", "comment"]
    assert extract_files_problem(files[:2], columns, OPTIONS) == (
        f"Extract {files[1]} is missing column(s) contact_id. The contract requires: order_id,"
        " contact_id, comment. Its header line has 2 column(s); their names are not shown, as a"
        " file without its header line would show a line of data."
    )
    # An empty file is named before any file is read.
    assert extract_files_problem(files, columns, OPTIONS).startswith(
        f"Extract {files[2]} is empty (0 bytes)"
    )
