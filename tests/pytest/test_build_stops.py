"""Extracts that stop a build: the run names file, line and column, and never echoes
customer data."""

from __future__ import annotations

import duckdb
import pytest

from conftest import TINY, Build, copy_extracts, dbt_build

pytestmark = pytest.mark.build


def _staging_tables(build: Build) -> list[str]:
    if not build.database.exists():
        return []
    with duckdb.connect(str(build.database), read_only=True) as con:
        return [
            row[0]
            for row in con.sql(
                "select table_name from information_schema.tables"
                " where table_schema in ('staging', 'audit')"
            ).fetchall()
        ]


def test_a_missing_column_stops_the_run_naming_file_and_column(tmp_path):
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    contacts = extracts / "crm" / "contacts.csv"
    lines = contacts.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    position = header.index("segment")
    rows = [",".join(v for i, v in enumerate(line.split(",")) if i != position) for line in lines]
    contacts.write_text("\n".join(rows) + "\n", encoding="utf-8")

    build = dbt_build(tmp_path, extracts)

    assert build.returncode != 0
    assert "crm/contacts.csv is missing column(s) segment" in build.output
    assert _staging_tables(build) == []


def test_a_file_without_its_header_line_is_not_echoed(tmp_path):
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    contacts = extracts / "crm" / "contacts.csv"
    lines = contacts.read_text(encoding="utf-8").splitlines()
    contacts.write_text("\n".join([PLANTED_CONTACT, *lines[1:]]) + "\n", encoding="utf-8")

    build = dbt_build(tmp_path, extracts)

    # DuckDB takes the first line for the header: the message counts its values (12).
    _assert_stopped_without_customer_data(
        build, tmp_path, "crm/contacts.csv is missing column(s) contact_id,",
        "Its header line has 12 column(s)",
    )  # fmt: skip


def test_a_missing_extract_stops_the_run_naming_the_file(tmp_path):
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    (extracts / "survey" / "surveys.csv").unlink()

    build = dbt_build(tmp_path, extracts)

    assert build.returncode != 0
    assert "survey/surveys.csv (or .parquet) does not exist" in build.output
    assert _staging_tables(build) == []


def test_a_file_and_a_folder_for_one_extract_stop_the_run(tmp_path):
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    (extracts / "crm" / "orders").mkdir()
    (extracts / "crm" / "orders" / "2025-01-01.csv").write_text(
        (extracts / "crm" / "orders.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )

    build = dbt_build(tmp_path, extracts)

    assert build.returncode != 0
    assert (
        f"Extract ambiguous: both the file {extracts}/crm/orders.csv and the folder"
        f" {extracts}/crm/orders/ exist." in build.output
    )
    assert _staging_tables(build) == []


def test_a_delta_file_without_a_contract_column_stops_the_run_naming_that_file(tmp_path):
    """An extract may be a folder of delta files; each file is checked and named."""
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    contacts = extracts / "crm" / "contacts.csv"
    header, *lines = contacts.read_text(encoding="utf-8").splitlines()
    folder = extracts / "crm" / "contacts"
    folder.mkdir()
    (folder / "2025-01-01.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    position = header.split(",").index("segment")
    without = [",".join(v for i, v in enumerate(line.split(",")) if i != position)
               for line in (header, lines[0])]  # fmt: skip
    (folder / "2025-01-02.csv").write_text("\n".join(without) + "\n", encoding="utf-8")
    contacts.unlink()

    build = dbt_build(tmp_path, extracts)

    assert build.returncode != 0
    assert "crm/contacts/2025-01-02.csv is missing column(s) segment" in build.output
    assert _staging_tables(build) == []


# A customer planted in the bad files below: neither may reach the output or the logs.
PLANTED_EMAIL = "zelda.quist@private-mail.example"
PLANTED_NAME = "Quistensen"
PLANTED_CONTACT = (
    f"C090,{PLANTED_EMAIL},Zelda,{PLANTED_NAME},+1 555 010 9090,US,consumer,email,lead,"
    "2025-01-12T09:00:00Z,2025-01-12T09:00:00Z,false"
)


def _assert_stopped_without_customer_data(build: Build, workdir, *expected: str) -> None:
    assert build.returncode != 0
    for text in expected:
        assert text in build.output
    logs = "".join(p.read_text(errors="replace") for p in (workdir / "logs").rglob("*.log"))
    for secret in (PLANTED_EMAIL, PLANTED_NAME):
        assert secret not in build.output
        assert secret not in logs
    # DuckDB's own wording and reader options the user cannot set are not shown.
    assert "Possible fixes" not in build.output
    assert "dialect" not in build.output
    assert _staging_tables(build) == []


def test_an_unterminated_quote_stops_the_run_naming_file_line_and_column(tmp_path):
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    contacts = extracts / "crm" / "contacts.csv"
    lines = contacts.read_text(encoding="utf-8").splitlines()
    bad_line = len(lines) + 1
    # The first name opens a quote that nothing closes; a hundred customers follow.
    opened = PLANTED_CONTACT.replace(",Zelda,", ',"Zelda,')
    more = [PLANTED_CONTACT.replace("C090", f"C{100 + n}") for n in range(100)]
    contacts.write_text("\n".join([*lines, opened, *more]) + "\n", encoding="utf-8")

    build = dbt_build(tmp_path, extracts)

    # The record runs from the open quote to the end of the file: 101 of the 111 lines
    # after the header (10 + 1 + 100) are in no line read, 90.99%, far more than 1%.
    _assert_stopped_without_customer_data(
        build,
        tmp_path,
        "crm/contacts.csv is corrupt: 101 of its 111 lines (90.99%) are in malformed records",
        f"First malformed records: line {bad_line}, column first_name: a quoted value is not"
        " closed",
    )


def test_a_latin1_file_stops_the_run_naming_file_line_and_column(tmp_path):
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    contacts = extracts / "crm" / "contacts.csv"
    lines = contacts.read_text(encoding="utf-8").splitlines()
    # "Zoë" in latin-1: the byte 0xEB stands at column
    # len("C090,") + len(PLANTED_EMAIL) + len(",Zo") + 1 = 5 + 32 + 3 + 1 = 41.
    latin = PLANTED_CONTACT.replace(",Zelda,", ",Zo\u00eb,").encode("latin-1")
    contacts.write_bytes(("\n".join(lines) + "\n").encode("utf-8") + latin + b"\n")

    build = dbt_build(tmp_path, extracts)

    _assert_stopped_without_customer_data(
        build,
        tmp_path,
        f"crm/contacts.csv is not valid UTF-8: line {len(lines) + 1}, column 41 holds byte 0xEB",
    )


def test_an_empty_file_stops_the_run_saying_it_is_empty(tmp_path):
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    (extracts / "crm" / "orders.csv").write_bytes(b"")

    build = dbt_build(tmp_path, extracts)

    _assert_stopped_without_customer_data(
        build, tmp_path, "crm/orders.csv is empty (0 bytes): the contract requires at least"
    )
    assert "Found: column0" not in build.output
