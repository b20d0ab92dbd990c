"""A malformed CSV line is a row defect: quarantined with its file and line, the run goes
on; a file with more than the allowed share of malformed lines stops the run before
anything is published, naming the file and the lines, never their text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, TINY, build_env, copy_extracts, dbt_build

pytestmark = pytest.mark.build

CX = Path(sys.executable).with_name("cx")
PLANTED_EMAIL = "zelda.quist@private-mail.example"
PLANTED_NAME = "Quistensen"
CONTACT = (
    "C{n},{email},Pat,Doe,,US,consumer,email,lead,2025-01-12T09:00:00Z,2025-01-12T09:00:00Z,false"
)
# One value too many: DuckDB's reader rejects the record.
MALFORMED = CONTACT.format(n=999, email=PLANTED_EMAIL).replace(",Doe,", f",{PLANTED_NAME},") + ",x"
MALFORMED_SQL = (
    "select file_name, line_number, row_key, column_name, raw_value, reason_detail,"
    " raw_row ->> 'csv_line' from audit.quarantined_rows"
    " where reason = 'malformed_csv_line' and defect_number = 1"
)


def _contacts_with(extracts: Path, bad_lines: list[str], good: int) -> tuple[Path, list[int]]:
    """The tiny contacts, ``good`` more usable contacts, and ``bad_lines`` after the fifth
    line; returns the file and the line number of each bad line."""
    contacts = extracts / "crm" / "contacts.csv"
    lines = contacts.read_text(encoding="utf-8").splitlines()
    extra = [CONTACT.format(n=500 + n, email=f"p{n}@example.com") for n in range(good)]
    contacts.write_text("\n".join([*lines[:5], *bad_lines, *lines[5:], *extra]) + "\n",
                        encoding="utf-8")  # fmt: skip
    return contacts, [6 + i for i in range(len(bad_lines))]


def _logs(workdir: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in (workdir / "logs").rglob("*.log"))


def test_a_malformed_line_is_quarantined_with_its_file_and_line_and_the_run_goes_on(tmp_path):
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    # The tiny file has 10 contact lines; with 150 more and the malformed one, 1 of 161
    # lines (0.62%) is malformed: under the 1% that makes a file corrupt.
    contacts, [bad_line] = _contacts_with(extracts, [MALFORMED], good=150)

    build = dbt_build(tmp_path, extracts)

    assert build.returncode == 0, build.output
    assert build.query(MALFORMED_SQL) == [(
        str(contacts), bad_line, None, "_line", None,
        "more values than the header has columns", MALFORMED,
    )]  # fmt: skip
    # Every line is accounted for: 161 read, the malformed one among the quarantined.
    [(read, staged, quarantined, superseded, malformed)] = build.query(
        "select rows_read, rows_staged, rows_quarantined, rows_superseded, rows_malformed"
        " from audit.extract_row_counts where extract_name = 'crm/contacts'"
    )
    assert (read, malformed) == (161, 1)
    assert read == staged + quarantined + superseded
    assert build.query(
        "select lines_read, lines_malformed from audit.extract_files"
        " where extract_name = 'crm/contacts'"
    ) == [(161, 1)]
    assert (
        build.query("select count(*) from staging.stg_crm__contacts where contact_id = 'C999'")[0][
            0
        ]
        == 0
    )
    for secret in (PLANTED_EMAIL, PLANTED_NAME):
        assert secret not in build.output and secret not in _logs(tmp_path)

    # A second build types no file again and keeps the malformed line once; a changed
    # file is typed again, its malformed line with it.
    again = dbt_build(tmp_path, extracts)
    assert again.returncode == 0, again.output
    assert len(again.query(MALFORMED_SQL)) == 1
    with contacts.open("a", encoding="utf-8") as handle:
        handle.write(CONTACT.format(n=998, email="late@example.com") + "\n")
    changed = dbt_build(tmp_path, extracts)
    assert changed.returncode == 0, changed.output
    assert [row[:2] for row in changed.query(MALFORMED_SQL)] == [(str(contacts), bad_line)]
    assert changed.query(
        "select rows_read, rows_malformed from audit.extract_row_counts"
        " where extract_name = 'crm/contacts'"
    ) == [(162, 1)]


def test_malformed_lines_in_a_folder_of_csv_and_parquet_files(tmp_path):
    """Each CSV file of a folder is read by its own header; Parquet files have no malformed
    lines; the line numbers are those of each file."""
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    contacts, _ = _contacts_with(extracts, [], good=0)
    header, *lines = contacts.read_text(encoding="utf-8").splitlines()
    folder = extracts / "crm" / "contacts"
    folder.mkdir()
    contacts.unlink()
    (folder / "2025-01-01.csv").write_text("\n".join([header, *lines[:4]]) + "\n", encoding="utf-8")
    with duckdb.connect() as con:
        con.sql(
            "copy (select * from read_csv({path}, all_varchar = true)) to {target} (format parquet)"
            .format(path=repr(str(folder / "2025-01-01.csv")),
                    target=repr(str(folder / "2025-01-02.parquet")))
        )  # fmt: skip
    (folder / "2025-01-01.csv").write_text("\n".join([header, *lines[4:]]) + "\n", encoding="utf-8")
    # The columns in another order; 120 usable lines, and line 3 one value short (1 of 121).
    names = header.split(",")
    order = [*names[1:], names[0]]
    rows = [CONTACT.format(n=700 + n, email=f"q{n}@example.com").split(",") for n in range(121)]
    moved = [",".join(row[names.index(name)] for name in order) for row in rows]
    moved[1] = moved[1].rsplit(",", 2)[0]
    (folder / "2025-01-03.csv").write_text("\n".join([",".join(order), *moved]) + "\n",
                                           encoding="utf-8")  # fmt: skip

    build = dbt_build(tmp_path, extracts)

    assert build.returncode == 0, build.output
    # Its first defect: the first column it lacks (DuckDB gives one per missing column).
    assert [row[:4] for row in build.query(MALFORMED_SQL)] == [
        (str(folder / "2025-01-03.csv"), 3, None, order[-2])
    ]
    assert build.query(
        "select list(column_name order by defect_number) from audit.quarantined_rows"
        " where reason = 'malformed_csv_line'"
    ) == [(order[-2:],)]
    assert build.query(
        "select file_format, lines_read, lines_malformed from audit.extract_files"
        " where extract_name = 'crm/contacts' order by file_name"
    ) == [("csv", len(lines) - 4, 0), ("parquet", 4, 0), ("csv", 121, 1)]
    assert build.query(
        "select count(*) from staging.stg_crm__contacts where contact_id between 'C700' and 'C820'"
    ) == [(120,)]


def test_a_corrupt_file_stops_the_run_before_anything_is_published(tmp_path):
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    # Two malformed lines in 12 (16.7%): the file is corrupt at the default 1%.
    short = CONTACT.format(n=998, email=PLANTED_EMAIL).rsplit(",", 3)[0]
    contacts, bad_lines = _contacts_with(extracts, [MALFORMED, short], good=0)
    env = build_env(tmp_path, extracts, CX_BI_DB=str(tmp_path / "bi" / "bi.duckdb"))

    proc = subprocess.run(
        [str(CX), "build"], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )

    output = proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert f"Extract {contacts} is corrupt: 2 of its 12 lines (16.67%)" in output
    assert (
        f"First malformed records: line {bad_lines[0]}: more values than the header has"
        f" columns; line {bad_lines[1]}, column created_at: fewer values" in output
    )
    assert "Build failed" in output
    assert not (tmp_path / "bi" / "bi.duckdb").exists()
    for secret in (PLANTED_EMAIL, PLANTED_NAME):
        assert secret not in output and secret not in _logs(tmp_path)

    # The same file with a larger share allowed builds, its two lines quarantined.
    build = dbt_build(tmp_path, extracts, "--vars", "{malformed_line_max_share: 0.2}")
    assert build.returncode == 0, build.output
    assert [row[1] for row in build.query(MALFORMED_SQL + " order by line_number")] == bad_lines
