"""Malformed CSV lines: placed by the file's own line numbers, counted line by line, and a
file past the allowed share told apart, without showing the lines."""

from __future__ import annotations

from cx.extract_check import extract_files_problem
from cx.malformed_lines import (
    FileLines,
    RejectedLine,
    count_lines,
    csv_header,
    line_numbers,
    scan_csv_files,
)

# The loader's CSV options (macro csv_reader_options).
OPTIONS = (
    "header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"',"
    " strict_mode = true, encoding = 'utf-8'"
)
HEADER = "id,name,note"
SECRET = "someone@private.example"


def _write(tmp_path, name: str, lines: list[str], end: str = "\n") -> str:
    path = tmp_path / name
    path.write_text(end.join(lines) + end, encoding="utf-8")
    return str(path)


def _good(first: int, last: int) -> list[str]:
    return [f"{n},name {n},fine" for n in range(first, last + 1)]


def test_byte_positions_are_placed_on_the_files_own_lines(tmp_path):
    path = _write(tmp_path, "a.csv", [HEADER, "1,a,b", '2,a,"x\ny"', "3,a,b"])
    # Bytes: "id,name,note\n" is 0..12, "1,a,b\n" 13..18, '2,a,"x' 19..24 and its value's
    # break 25, 'y"' starts line 4 at 26, "3,a,b" starts line 5 at 29.
    assert line_numbers(path, [29, 0, 14, 13, 26, 25]) == [5, 1, 2, 2, 4, 3]
    assert line_numbers(path, []) == []


def test_line_numbers_are_counted_across_read_blocks(tmp_path, monkeypatch):
    from cx import malformed_lines

    monkeypatch.setattr(malformed_lines, "_BLOCK_BYTES", 4)
    path = _write(tmp_path, "a.csv", [HEADER, *_good(1, 5)])
    # "id,name,note\n" is 13 bytes, each "n,name n,fine\n" 14: line 4 starts at 13 + 2 * 14.
    assert line_numbers(path, [13 + 2 * 14 + 1, 13 + 4 * 14 + 1]) == [4, 6]


def test_lines_are_counted_with_or_without_a_last_line_break(tmp_path):
    assert count_lines(_write(tmp_path, "a.csv", [HEADER, "1,a,b"])) == 2
    (tmp_path / "b.csv").write_text(HEADER + "\n1,a,b", encoding="utf-8")
    assert count_lines(str(tmp_path / "b.csv")) == 2
    assert count_lines(_write(tmp_path, "c.csv", [HEADER], end="\r\n")) == 1


def test_a_header_line_is_read_as_the_contract_writes_it(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b'\xef\xbb\xbfid,"na,me",note\n1,a,b\n')
    header = csv_header(str(path))
    assert header is not None and header.names == ["id", "na,me", "note"] and header.lines == 1
    (tmp_path / "open.csv").write_text('id,"name\n', encoding="utf-8")
    assert csv_header(str(tmp_path / "open.csv")) is None


def test_every_line_is_read_or_in_a_malformed_record(tmp_path):
    lines = [HEADER, *[f'{n},name {n},"fine, really"' for n in range(1, 200)]]
    lines[20] = f'20,"{SECRET},x'  # a quote that closes on the next line's first quote
    lines[60] = "60,a,b,c"  # one value too many
    lines[70] = "70,a"  # one value short
    lines[90] = '90,two,"lines\nof text"'  # a usable value with a line break
    path = _write(tmp_path, "a.csv", lines)

    [scanned] = scan_csv_files([path], OPTIONS)

    # 199 records after the header, one of them on two lines: 200 lines. The record of
    # line 21 swallows line 22 (its quote closes there, then breaks the strict dialect);
    # 60 and 70 are a line each: 4 lines rejected, 196 read (195 records, one on 2 lines).
    assert scanned.lines == 200
    assert scanned.lines_read == 196
    assert scanned.lines_rejected == 4
    assert [(r.line, r.column) for r in scanned.rejected] == [
        (21, "name"),
        (61, None),
        (71, "note"),
    ]
    assert scanned.rejected[1].detail == "more values than the header has columns"
    assert scanned.rejected[2].detail == "fewer values than the header has columns"
    # 4 of 200 lines is 2%: corrupt at 1%, accepted at 2% ("more than" the share).
    assert scanned.is_corrupt(0.01)
    assert not scanned.is_corrupt(0.02)


def test_a_quote_never_closed_runs_to_the_end_and_makes_the_file_corrupt(tmp_path):
    lines = [HEADER, *_good(1, 1000)]
    lines[990] = f'990,"{SECRET}'
    path = _write(tmp_path, "a.csv", lines)

    [scanned] = scan_csv_files([path], OPTIONS)

    # DuckDB keeps one record from line 991 to the end: 11 of 1,000 lines, 1.1%.
    assert [r.line for r in scanned.rejected] == [991]
    assert scanned.lines_rejected == 11
    assert scanned.is_corrupt(0.01)
    problem = extract_files_problem([path], ["id", "name", "note"], OPTIONS, 0.01)
    assert problem.startswith(f"Extract {path} is corrupt: 11 of its 1,000 lines (1.10%)")
    assert "First malformed records: line 991, column name: a quoted value" in problem
    assert SECRET not in problem


def test_one_malformed_line_in_a_hundred_and_one_is_accepted(tmp_path):
    lines = [HEADER, *_good(1, 101)]
    lines[50] = "50,a,b,c"
    path = _write(tmp_path, "a.csv", lines)
    # 1 of 101 lines is 0.99%, not more than 1%.
    assert extract_files_problem([path], ["id", "name", "note"], OPTIONS, 0.01) is None
    # One line in a hundred is exactly 1%: accepted too; one in 99 is not.
    assert extract_files_problem([path], ["id", "name", "note"], OPTIONS, 1 / 101) is None
    assert extract_files_problem([path], ["id", "name", "note"], OPTIONS, 1 / 102) is not None


def test_a_file_whose_every_line_is_malformed_and_a_file_of_one_line(tmp_path):
    every = _write(tmp_path, "every.csv", [HEADER, "1,a,b,c", "2", "3,a,b,c,d"])
    one_bad = _write(tmp_path, "one_bad.csv", [HEADER, "1,a"])
    one_good = _write(tmp_path, "one_good.csv", [HEADER, "1,a,b"])
    header_only = _write(tmp_path, "header.csv", [HEADER])

    scanned = {f.file: f for f in scan_csv_files([every, one_bad, one_good, header_only], OPTIONS)}

    assert (scanned[every].lines, scanned[every].lines_rejected) == (3, 3)
    assert [r.line for r in scanned[every].rejected] == [2, 3, 4]
    assert (scanned[one_bad].lines, scanned[one_bad].lines_rejected) == (1, 1)
    assert (scanned[one_good].lines, scanned[one_good].lines_rejected) == (1, 0)
    assert (scanned[header_only].lines, scanned[header_only].lines_rejected) == (0, 0)
    # Every line bad is corrupt even when the share allowed is 99%; no line is never corrupt.
    assert scanned[every].is_corrupt(0.99) and scanned[one_bad].is_corrupt(0.99)
    assert not scanned[header_only].is_corrupt(0.0)
    assert not scanned[one_good].is_corrupt(0.0)


def test_files_of_a_folder_with_other_column_orders_are_read_by_their_own_headers(tmp_path):
    first = _write(tmp_path, "2025-01-01.csv", [HEADER, *_good(1, 3)])
    other_order = _write(tmp_path, "2025-01-02.csv", ["note,id,name,extra", "ok,4,d,x", "5,e"])

    scanned = scan_csv_files([first, other_order], OPTIONS)

    assert [(f.lines, f.lines_rejected) for f in scanned] == [(3, 0), (2, 1)]
    assert scanned[1].rejected == [
        RejectedLine(3, "name", "fewer values than the header has columns")
    ]


def test_a_corrupt_files_message_names_ten_lines_and_counts_the_rest():
    file = FileLines(
        "/x/a.csv",
        lines=40,
        lines_read=28,
        rejected=[RejectedLine(n, None, "more values than the header has columns")
                  for n in range(2, 14)],
    )  # fmt: skip
    problem = file.problem(0.01)
    # 12 of 40 lines = 30.00%.
    assert problem.startswith("Extract /x/a.csv is corrupt: 12 of its 40 lines (30.00%)")
    assert "line 11: more" in problem and "line 12:" not in problem
    assert problem.endswith("; and 2 more. Nothing was built; re-export the file.")
