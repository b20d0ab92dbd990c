"""`cx erase` on the committed sample: a customer with contacts, orders, tickets,
commented survey answers and a review of one of their orders is erased, and no
trace of them is left in the build database, the BI file, the Parquet files or the
quarantine, while the build passes every dbt test and the gate, and each extract
loses exactly that person's lines."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, build_env

pytestmark = pytest.mark.build

CX = Path(sys.executable).with_name("cx")
SEEDS = REPO / "seeds"
# A customer of the sample with 19 orders, 4 tickets and 2 commented answers (a
# generated one: the sample is regenerated with `make sample`).
CONTACT_ID = "C0000798"
EMAIL = "sofia.silva798@inbox.example.co.uk"
FIRST, LAST = "Sofia", "Silva"


def _lines(extract: str) -> list[dict[str, str]]:
    with (SEEDS / f"{extract}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _email(value: str | None) -> str:
    return (value or "").strip().lower()


def persons_lines() -> dict[str, list[dict[str, str]]]:
    """The person's lines in each extract of the sample, found by hand from the CSV
    files: their contact lines, help-desk users (by email or CRM id), orders,
    tickets and their events, activities (by contact, email, or a device one of
    their identify lines names), survey answers (by email, contact, or one of
    their tickets or orders) and reviews (by email, or one of their orders)."""
    contacts = [
        line
        for line in _lines("crm/contacts")
        if line["contact_id"].strip() == CONTACT_ID or _email(line["email"]) == EMAIL
    ]
    users = [
        line
        for line in _lines("support/users")
        if _email(line["email"]) == EMAIL or line["external_id"].strip() == CONTACT_ID
    ]
    user_ids = {line["user_id"].strip() for line in users}
    orders = [line for line in _lines("crm/orders") if line["contact_id"].strip() == CONTACT_ID]
    order_ids = {line["order_id"].strip() for line in orders}
    tickets = [
        line for line in _lines("support/tickets") if line["requester_id"].strip() in user_ids
    ]
    ticket_ids = {line["ticket_id"].strip() for line in tickets}
    events = [
        line
        for line in _lines("support/ticket_events")
        if line["ticket_id"].strip() in ticket_ids or line["author_id"].strip() in user_ids
    ]
    activities = _lines("crm/activities")
    devices = {
        line["anonymous_id"].strip()
        for line in activities
        if line["contact_id"].strip() == CONTACT_ID and line["anonymous_id"].strip()
    }
    activities = [
        line
        for line in activities
        if line["contact_id"].strip() == CONTACT_ID
        or _email(line["email"]) == EMAIL
        or line["anonymous_id"].strip() in devices
    ]
    responses = [
        line
        for line in _lines("survey/responses")
        if _email(line["recipient_email"]) == EMAIL
        or line["contact_ref"].strip() == CONTACT_ID
        or line["related_ticket_id"].strip() in ticket_ids
        or line["related_order_id"].strip() in order_ids
    ]
    reviews = [
        line
        for line in _lines("reviews/reviews")
        if _email(line["reviewer_email"]) == EMAIL or line["order_reference"].strip() in order_ids
    ]
    return {
        "crm/contacts": contacts,
        "crm/orders": orders,
        "crm/activities": activities,
        "support/users": users,
        "support/tickets": tickets,
        "support/ticket_events": events,
        "survey/responses": responses,
        "survey/surveys": [],
        "reviews/reviews": reviews,
    }


def _needles(person: dict[str, list[dict[str, str]]]) -> tuple[re.Pattern, dict[str, set[str]]]:
    """A pattern for the person's email, full name, phones and string ids anywhere in a
    row's text, and their integer ids by the columns that hold them."""
    texts = {EMAIL, CONTACT_ID}
    for line in person["crm/contacts"] + person["support/users"]:
        digits = re.sub(r"\D", "", line.get("phone") or "")
        if len(digits) >= 7:
            texts.add(digits[-10:])  # the number however it was written
    texts |= {line["order_id"].strip() for line in person["crm/orders"]}
    texts |= {line["response_id"].strip() for line in person["survey/responses"]}
    texts |= {line["review_id"].strip() for line in person["reviews/reviews"]}
    texts |= {line["anonymous_id"].strip() for line in person["crm/activities"]} - {""}
    words = [re.escape(text) for text in sorted(texts)]
    pattern = re.compile(
        r"(?i)(^|[^0-9a-z])(" + "|".join(words) + r")([^0-9a-z]|$)"
        rf"|{FIRST}[^0-9a-z]{{1,40}}{LAST}|{LAST}[^0-9a-z]{{1,40}}{FIRST}"
    )
    integer_ids = {
        "user": {line["user_id"].strip() for line in person["support/users"]},
        "ticket": {line["ticket_id"].strip() for line in person["support/tickets"]},
    }
    return pattern, integer_ids


def _traces(con: duckdb.DuckDBPyConnection, pattern: re.Pattern, integer_ids) -> list[str]:
    """Every table of every schema, each row as text (every column: strings, JSON, lists)
    searched for the person; integer ids searched in the columns named for them."""
    found = []
    tables = con.sql(
        "select database_name, schema_name, table_name from duckdb_tables() where not internal"
        " union all select database_name, schema_name, view_name from duckdb_views()"
        " where not internal order by all"
    ).fetchall()
    for database, schema, table in tables:
        name = f'"{database}"."{schema}"."{table}"'
        rows = con.sql(f"select t::varchar from {name} as t").fetchall()
        hits = sum(1 for (row,) in rows if pattern.search(row.replace("'", " ")))
        if hits:
            found.append(f"{schema}.{table}: {hits} row(s)")
        columns = con.execute(
            "select column_name from duckdb_columns() where database_name = ? and schema_name = ?"
            " and table_name = ?",
            [database, schema, table],
        ).fetchall()
        for (column,) in columns:
            kind = (
                "user"
                if re.search(r"(^|_)(user|requester|author|assignee|agent)_id$", column)
                or column == "record_id"
                else "ticket"
                if column.endswith("ticket_id")
                else None
            )
            if kind and integer_ids[kind]:
                listed = ", ".join(f"'{value}'" for value in sorted(integer_ids[kind]))
                count = con.sql(
                    f'select count(*) from {name} where "{column}"::varchar in ({listed})'
                ).fetchall()[0][0]
                if count:
                    found.append(f"{schema}.{table}.{column}: {count} row(s)")
    return found


@pytest.fixture(scope="module")
def erased(tmp_path_factory: pytest.TempPathFactory) -> dict:
    workdir = tmp_path_factory.mktemp("erase")
    env = build_env(workdir, None, CX_BI_DB=str(workdir / "bi" / "bi.duckdb"))
    proc = subprocess.run(
        [str(CX), "erase", "--email", "  Sofia.Silva798@INBOX.example.co.uk "],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return {"proc": proc, "workdir": workdir, "env": env}


def test_the_person_is_in_the_sample_with_everything_to_erase():
    person = persons_lines()
    assert len(person["crm/contacts"]) >= 1 and len(person["support/users"]) == 1
    # 19 orders and 4 tickets in the sample as committed; a regenerated sample needs
    # only some of each.
    assert len(person["crm/orders"]) >= 1 and len(person["support/tickets"]) >= 1
    assert sum(1 for line in person["survey/responses"] if line["comment"].strip()) >= 2
    # One review in the sample as committed (RV00000156, of one of their orders, no email).
    assert len(person["reviews/reviews"]) >= 1
    pattern, _ = _needles(person)
    # The needles are the person's: in the sample, only their lines hold them.
    for extract, lines in person.items():
        theirs = {tuple(line.values()) for line in lines}
        others = [line for line in _lines(extract) if tuple(line.values()) not in theirs]
        assert not any(pattern.search(" ".join(line.values())) for line in others), extract


def test_the_erasure_builds_passes_the_gate_and_publishes(erased):
    proc = erased["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Quality gate: passed" in proc.stdout
    assert "Published 28 marts" in proc.stdout
    assert f"suppression list {erased['workdir'] / 'suppression_list.csv'}" in proc.stdout
    # Never printed: the person's email or name.
    output = (proc.stdout + proc.stderr).lower()
    assert EMAIL not in output and "silva" not in output


def test_each_extract_loses_exactly_the_persons_lines(erased):
    assert erased["proc"].returncode == 0
    person = persons_lines()
    with duckdb.connect(str(erased["workdir"] / "build.duckdb"), read_only=True) as con:
        read = dict(
            con.sql("select extract_name, rows_read from audit.extract_row_counts").fetchall()
        )
        suppressed = dict(
            con.sql(
                "select extract_name, lines_suppressed from raw.suppressed_line_counts"
            ).fetchall()
        )
    for extract, lines in person.items():
        # The sample has no malformed line: every CSV record is a line read.
        assert read[extract] == len(_lines(extract)) - len(lines), extract
        assert suppressed[extract] == len(lines), extract
    report = erased["proc"].stdout
    assert "Lines of erased persons dropped as loaded" in report
    assert f"crm/orders {len(person['crm/orders'])}" in report


def test_no_trace_of_the_person_anywhere(erased):
    assert erased["proc"].returncode == 0
    pattern, integer_ids = _needles(persons_lines())
    workdir = erased["workdir"]
    with duckdb.connect() as con:
        con.sql(f"attach '{workdir / 'build.duckdb'}' as build (read_only)")
        con.sql(f"attach '{workdir / 'bi' / 'bi.duckdb'}' as bi (read_only)")
        assert con.sql("select count(*) from build.audit.quarantined_rows").fetchall()[0][0] > 0
        assert _traces(con, pattern, integer_ids) == []
        # Published by default: no email address of anybody, in any mart.
        any_email = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}")
        for (mart,) in con.sql(
            "select table_name from duckdb_tables() where database_name = 'bi'"
            " and schema_name = 'marts'"
        ).fetchall():
            rows = con.sql(f"select t::varchar from bi.marts.{mart} as t").fetchall()
            assert not any(any_email.search(row) for (row,) in rows), mart
        parquet = sorted((workdir / "bi" / "bi_parquet").glob("*.parquet"))
        assert len(parquet) == 28
        for path in parquet:
            rows = con.execute(
                "select t::varchar from read_parquet(?) as t", [str(path)]
            ).fetchall()
            assert not any(pattern.search(row.replace("'", " ")) for (row,) in rows), path.name
    # The list holds hashes, not the address: hers, and her help-desk user's id and
    # email, read from the identity links (built first: there was no build database).
    listed = (workdir / "suppression_list.csv").read_text(encoding="utf-8")
    assert EMAIL not in listed.lower()
    kinds = [line.split(",")[0] for line in listed.splitlines()[1:]]
    assert kinds == ["email", "linked_user_id", "linked_user_email"]


# An incremental build after the list changed: the hand-made extracts, read from a
# folder (raw views over the files), typed once before anybody was erased.
TINY_PERSON = re.compile(
    r"(?i)(^|[^0-9a-z])(ann\.lee@example\.com|C001|R_aaaaaaaaaaaaaaa|R_fffffffffffffff"
    r"|5550102233)([^0-9a-z]|$)|Ann[^0-9a-z]{1,40}Lee"
)


def test_a_later_incremental_build_drops_lines_typed_before_the_erasure(tmp_path):
    from conftest import TINY, copy_extracts, dbt_build
    from cx.erasure import record

    extracts = copy_extracts(TINY, tmp_path / "extracts")
    before = dbt_build(tmp_path, extracts)
    assert before.returncode == 0, before.output[-3000:]
    with duckdb.connect(str(before.database), read_only=True) as con:
        typed = con.sql("select count(*) from staging.base_crm__contacts").fetchall()[0][0]
        assert _traces(con, TINY_PERSON, {"user": {"1001"}, "ticket": set()}) != []

    # Erased by customer id: the build must find their email, help-desk user and answers.
    assert record(tmp_path / "suppression_list.csv", "contact_id", " C001 ")
    after = dbt_build(tmp_path, extracts)

    assert after.returncode == 0, after.output[-3000:]
    assert "0 file(s) to type" in after.output  # no file changed: the lines typed before go
    with duckdb.connect(str(after.database), read_only=True) as con:
        assert _traces(con, TINY_PERSON, {"user": {"1001"}, "ticket": set()}) == []
        # Ann's two contact lines (a re-export) are gone, and nothing else.
        assert (
            con.sql("select count(*) from staging.base_crm__contacts").fetchall()[0][0] == typed - 2
        )
        counts = dict(
            con.sql(
                "select extract_name, lines_suppressed from raw.suppressed_line_counts"
            ).fetchall()
        )
    # Counted by hand in tests/pytest/extracts/tiny/: Ann's 2 contact lines (C001); her
    # help-desk user 1001 (external_id C001); her 3 tickets (500, 501, 502, requester
    # 1001) and the 7 events of ticket 500; her 7 order lines (O1, O2, O6, O7, O8 with
    # re-deliveries); activities A2 and A3 (C001) and A1 (anon_1, which A2 identifies);
    # answers R_aaaaaaaaaaaaaaa (2 lines) and R_fffffffffffffff by her email and contact,
    # R_ddd and R_eeeeeeeeeeeeeee about her tickets; no review (RV1 references O3, of
    # a contact not in the extract, and no review carries her email).
    assert counts == {
        "crm/contacts": 2,
        "crm/orders": 7,
        "crm/activities": 3,
        "support/users": 1,
        "support/tickets": 3,
        "support/ticket_events": 7,
        "survey/responses": 5,
        "survey/surveys": 0,
        "reviews/reviews": 0,
    }
