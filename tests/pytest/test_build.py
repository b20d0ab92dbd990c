"""Whole builds on hand-made extracts: what is staged, what is quarantined, what stops a run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from conftest import TINY, Build, copy_extracts, dbt_build
from cx import paths
from cx.contract import EXTRACTS
from cx.gate import run_gate
from cx.publish import publish
from cx.report import format_report, read_report

pytestmark = pytest.mark.build

MARTS = {
    "dim_customers", "fct_touchpoints", "fct_customer_journeys", "mart_journey_funnel",
    "mart_journey_paths", "fct_support_tickets", "mart_support_monthly", "fct_survey_responses",
    "mart_nps_monthly", "mart_csat_ces_monthly", "mart_survey_exclusions", "mart_nps_drivers",
    "mart_nps_driver_summary", "fct_customer_value", "mart_cohort_retention",
    "mart_clv_model_fit", "mart_theme_sentiment",
}  # fmt: skip


def test_quarantine_holds_exactly_the_defective_lines_with_their_reasons(tiny_build: Build):
    rows = tiny_build.query(
        "select extract_name, row_key, column_name, reason from audit.quarantined_rows"
    )
    assert sorted(rows, key=str) == sorted(
        [
            ("crm/contacts", "C003", "segment", "unknown_value"),
            ("crm/contacts", "C004", "created_at", "timestamp_without_utc_offset"),
            ("crm/contacts", "C005", "updated_at", "timestamp_without_utc_offset"),
            ("crm/contacts", None, "contact_id", "missing_value"),
            ("crm/contacts", "C006", "contact_id", "conflicting_duplicate"),
            ("crm/contacts", "C006", "contact_id", "conflicting_duplicate"),
            ("crm/orders", "O4", "amount", "not_a_decimal"),
            ("crm/orders", "O5", "ordered_at", "unparseable_timestamp"),
            ("crm/orders", "O6", "order_id", "conflicting_duplicate"),
            ("crm/orders", "O6", "order_id", "conflicting_duplicate"),
            ("crm/orders", "O7", "amount", "too_many_decimals"),
            ("crm/orders", "O8", "amount", "not_a_decimal"),
            ("crm/activities", "A4", "activity_type", "unknown_value"),
            ("support/users", "x1002", "user_id", "not_an_integer"),
            ("support/tickets", "502", "status", "unknown_value"),
            ("support/ticket_events", "5", "is_public", "missing_value"),
            ("support/ticket_events", "6", "is_public", "not_a_boolean"),
            ("support/ticket_events", "7", "author_id", "not_an_integer"),
            ("survey/responses", "R_ccccccccccccccc", "nps_score", "out_of_range"),
            ("survey/responses", "R_fffffffffffffff", "nps_score", "not_an_integer"),
            ("survey/responses", "R_ddd", "response_id", "malformed_value"),
            ("survey/responses", "R_eeeeeeeeeeeeeee", "language", "unknown_value"),
        ],
        key=str,
    )


def test_quarantine_keeps_the_raw_value_and_the_whole_line(tiny_build: Build):
    raw_value, raw_row = tiny_build.query(
        "select raw_value, raw_row::varchar from audit.quarantined_rows where row_key = 'O4'"
    )[0]
    assert raw_value == "abc"
    assert '"order_id":"O4"' in raw_row and '"contact_id":"C002"' in raw_row


def test_conflicting_lines_are_quarantined_whole_and_single_lines_carry_no_json(tiny_build: Build):
    amounts = tiny_build.query(
        "select raw_row ->> 'amount' from audit.quarantined_rows"
        " where extract_name = 'crm/orders' and reason = 'conflicting_duplicate'"
        " order by 1"
    )
    # Both lines of O6 (same ordered_at, 30.00 and 35.00): neither is staged.
    assert amounts == [("30.00",), ("35.00",)]
    staged = "select count(*) from staging.stg_crm__orders where order_id = 'O6'"
    assert tiny_build.query(staged) == [(0,)]
    # A line alone with its key and without defects is staged as typed: no JSON copy.
    assert tiny_build.query(
        "select order_id, _raw_row is null from staging.base_crm__orders"
        " where order_id in ('O1', 'O2') order by order_id, _raw_row is null"
    ) == [("O1", False), ("O1", False), ("O2", True)]


# Read, staged, quarantined (with defects, conflicting), superseded: where every line of
# the tiny extracts goes. read = staged + quarantined + superseded; quarantined = with
# defects + conflicting. contacts: C001's older line and C006's older line are superseded,
# C006's two latest lines conflict. orders: O1's exact duplicate is superseded, O6's two
# lines conflict. (tests/pytest/extracts/tiny/README.md lists every line.)
TINY_COUNTS = {
    "crm/contacts": (10, 2, 6, 4, 2, 2),
    "crm/orders": (10, 3, 6, 4, 2, 1),
    "crm/activities": (4, 3, 1, 1, 0, 0),
    "support/users": (3, 2, 1, 1, 0, 0),
    "support/tickets": (3, 2, 1, 1, 0, 0),
    "support/ticket_events": (7, 4, 3, 3, 0, 0),
    "survey/surveys": (2, 2, 0, 0, 0, 0),
    "survey/responses": (7, 2, 4, 4, 0, 1),
}


def _extract_counts(build: Build) -> dict[str, tuple]:
    return {
        row[0]: row[1:]
        for row in build.query(
            "select extract_name, rows_read, rows_staged, rows_quarantined, rows_with_defects,"
            " rows_conflicting, rows_superseded from audit.extract_row_counts"
        )
    }


def test_every_line_is_staged_quarantined_or_superseded(tiny_build: Build):
    assert _extract_counts(tiny_build) == TINY_COUNTS


def test_an_exact_duplicate_is_superseded_not_quarantined(tiny_build: Build):
    # O1 appears twice, identical in every column: one order staged, nothing quarantined.
    assert tiny_build.query("select amount from staging.stg_crm__orders where order_id = 'O1'") == [
        (Decimal("100.50"),)
    ]
    assert tiny_build.query("select count(*) from audit.quarantined_rows where row_key = 'O1'") == [
        (0,)
    ]


def test_numbers_that_are_not_plain_are_quarantined_never_rounded(tiny_build: Build):
    # DuckDB's cast reads nps_score 9.5 as 10 (a promoter) and amount 19.999 as 20.00.
    assert tiny_build.query(
        "select count(*) from staging.stg_survey__responses where response_id = 'R_fffffffffffffff'"
    ) == [(0,)]
    assert tiny_build.query(
        "select row_key, raw_value, reason from audit.quarantined_rows"
        " where column_name in ('nps_score', 'amount', 'author_id') order by row_key"
    ) == [
        ("7", "0x0A", "not_an_integer"),
        ("O4", "abc", "not_a_decimal"),
        ("O7", "19.999", "too_many_decimals"),
        ("O8", "1e3", "not_a_decimal"),
        ("R_ccccccccccccccc", "11", "out_of_range"),
        ("R_fffffffffffffff", "9.5", "not_an_integer"),
    ]


def test_run_report_counts_reconcile_with_the_quarantine_listing(tiny_build: Build):
    report = read_report(tiny_build.database)
    assert report.unreconciled() == []
    listed: dict[str, int] = {}
    for extract, _column, _reason, lines in report.quarantined:
        listed[extract] = listed.get(extract, 0) + lines
    for counts in report.extracts:
        # no extract says 0 quarantined while the listing shows one of its lines
        assert (counts.rows_quarantined == 0) == (counts.extract_name not in listed)
        assert counts.rows_read == (
            counts.rows_staged + counts.rows_quarantined + counts.rows_superseded
        )
    text = format_report(report)
    assert "NOT RECONCILED" not in text
    rows = [line.split() for line in text.splitlines()]
    assert ["crm/orders", "10", "3", "6", "1"] in rows  # read, staged, quarantined, superseded


def test_contacts_are_latest_export_normalised_and_deleted_ones_flagged(tiny_build: Build):
    rows = tiny_build.query(
        "select contact_id, email, phone, country_code, lifecycle_stage, created_at, updated_at,"
        " is_deleted from staging.stg_crm__contacts order by contact_id"
    )
    assert rows == [
        (
            "C001",
            "ann.lee@example.com",
            "+15550102233",
            "US",
            "customer",
            dt.datetime(2025, 1, 10, 14, 0),
            dt.datetime(2025, 2, 1, 12, 0),
            False,
        ),
        (
            "C002",
            "bob@example.com",
            "+15550109999",
            "GB",
            "lead",
            dt.datetime(2025, 1, 11, 10, 0),
            dt.datetime(2025, 1, 11, 10, 0),
            True,
        ),
    ]


def test_orders_keep_orphans_and_convert_to_utc(tiny_build: Build):
    rows = tiny_build.query(
        "select order_id, contact_id, ordered_at, currency_code, amount, status"
        " from staging.stg_crm__orders order by order_id"
    )
    assert rows == [
        ("O1", "C001", dt.datetime(2025, 2, 1, 15, 0), "USD", Decimal("100.50"), "completed"),
        ("O2", "C001", dt.datetime(2025, 2, 3, 10, 0), "EUR", Decimal("20.00"), "refunded"),
        ("O3", "C999", dt.datetime(2025, 2, 4, 10, 0), "GBP", Decimal("15.00"), "completed"),
    ]


def test_responses_keep_the_latest_export_and_the_verbatim_intact(tiny_build: Build):
    rows = tiny_build.query(
        "select response_id, is_real_response, is_finished, nps_score, ended_at, comment_text"
        " from staging.stg_survey__responses order by response_id"
    )
    assert rows == [
        (
            "R_aaaaaaaaaaaaaaa",
            True,
            True,
            9,
            dt.datetime(2025, 4, 1, 2, 5),
            'Great, "fast" delivery 👍\nThanks!',
        ),
        ("R_bbbbbbbbbbbbbbb", False, True, 5, dt.datetime(2025, 3, 1, 0, 1), None),
    ]


def test_ticket_tags_and_quoted_text(tiny_build: Build):
    assert tiny_build.query(
        "select subject, tags, satisfaction_comment from staging.stg_support__tickets"
        " where ticket_id = 500"
    ) == [("Refund, please", ["refund", "vip"], 'Quick "and" kind')]


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

    _assert_stopped_without_customer_data(
        build,
        tmp_path,
        f"crm/contacts.csv: the quoted value opened on line {bad_line}, column first_name"
        " is never closed",
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


def test_a_folder_with_a_quote_in_its_name_builds_and_publishes(tmp_path):
    # A quote breaks SQL pasted together; brackets, stars and question marks are glob
    # patterns to DuckDB's readers. (A `?` in the build database's own path is read by
    # dbt-duckdb as the start of URL parameters, so it goes in the extracts folder only.)
    workdir = tmp_path / "it's [here] *"
    extracts = copy_extracts(TINY, workdir / "extracts?")

    # What reads paths: the load, the row counts and a mart published from that folder.
    build = dbt_build(
        workdir, extracts, "--select", "+extract_row_counts", "+fct_survey_responses",
        "--indirect-selection", "buildable",
    )  # fmt: skip

    assert build.returncode == 0, build.output
    assert _extract_counts(build) == TINY_COUNTS
    # The build database in that folder publishes too (its path is attached in SQL).
    publication = publish(build.database, workdir / "bi.duckdb", workdir / "bi_parquet")
    # R_aaaaaaaaaaaaaaa is the one valid response (R_bbbbbbbbbbbbbbb is not a real one).
    assert publication.marts["fct_survey_responses"] == 1


def test_a_one_megabyte_verbatim_builds_scored_on_its_prefix_themed_in_whole(tmp_path):
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    responses = extracts / "survey" / "responses.csv"
    # 1 MB of complaint about waiting, then, only past the scored prefix, the price.
    comment = "Waited too long on hold, never again. " * 27_600 + "And far too expensive."
    line = (
        "R_fffffffffffffff,SV_NPS1,IP Address,,C001,email,2025-04-02T10:00:00Z,"
        f'2025-04-02T10:05:00Z,2025-04-02T10:06:00Z,1,100,3,,,"{comment}",,,en\n'
    )
    with responses.open("a", encoding="utf-8") as handle:
        handle.write(line)

    build = dbt_build(
        tmp_path, extracts, "--select", "+fct_survey_responses",
        "--indirect-selection", "buildable",
    )  # fmt: skip

    assert build.returncode == 0, build.output
    # 38 characters a sentence: the 52nd full stop within 2,000 ends at 52 * 38 - 1 = 1,975.
    assert build.query(
        "select length(comment_text), comment_sentiment_label, comment_sentiment_scored_chars,"
        " is_comment_sentiment_on_prefix, comment_themes from marts.fct_survey_responses"
        " where response_id = 'R_fffffffffffffff'"
    ) == [(27_600 * 38 + 22, "negative", 1_975, True, ["price", "wait_time"])]
    # wait_time from the complaint; price only from "expensive", 1 MB past the prefix.
    # A short verbatim is scored whole.
    assert build.query(
        "select comment_sentiment_scored_chars = length(comment_text),"
        " is_comment_sentiment_on_prefix from marts.fct_survey_responses"
        " where response_id = 'R_aaaaaaaaaaaaaaa'"
    ) == [(True, False)]


def test_header_only_extracts_build_empty_tables(tmp_path):
    extracts = tmp_path / "extracts"
    for extract in EXTRACTS:
        path = extracts / extract.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(",".join(extract.columns) + "\n", encoding="utf-8")

    build = dbt_build(tmp_path, extracts)

    assert build.returncode == 0, build.output
    assert build.query("select sum(rows_read), sum(rows_staged) from audit.extract_row_counts") == [
        (0, 0)
    ]
    assert build.query("select count(*) from staging.stg_crm__contacts") == [(0,)]
    names = [name for (name,) in build.query(paths.MARTS_SQL)]
    marts = {name: build.query(f"select count(*) from marts.{name}")[0][0] for name in names}
    assert set(marts) == MARTS
    # Rows that exist without data: one per stage, one per model parameter (unfitted),
    # one per driver x exposure x NPS survey type (4 x 2 x 2, zero responses). Monthly
    # marts have no month to show.
    nonempty = {name: rows for name, rows in marts.items() if rows}
    assert nonempty == {
        "mart_journey_funnel": 5,
        "mart_clv_model_fit": 9,
        "mart_nps_driver_summary": 16,
    }
    assert build.query(
        "select sum(responses), count(nps), bool_and(is_small_sample)"
        " from marts.mart_nps_driver_summary"
    ) == [(0, 0, True)]
    assert build.query(
        "select count(value), bool_and(status like 'not fitted: 0 customers%')"
        " from marts.mart_clv_model_fit"
    ) == [(0, True)]
    # Empty marts pass every check that holds for zero rows, and publish.
    gate = run_gate(build.database, tmp_path / "gx")
    assert gate.success, gate.format()
    publication = publish(build.database, tmp_path / "bi.duckdb", tmp_path / "bi_parquet")
    assert publication.marts == marts


def test_parquet_extracts_build_like_csv(tmp_path, tiny_build: Build):
    extracts = tmp_path / "extracts"
    with duckdb.connect() as con:
        for extract in EXTRACTS:
            (extracts / extract.system).mkdir(parents=True, exist_ok=True)
            con.sql(
                f"copy (select * from read_csv('{TINY / extract.relpath}', header = true,"
                f" all_varchar = true)) to '{extracts / extract.system / extract.table}.parquet'"
            )

    build = dbt_build(tmp_path, extracts)

    assert build.returncode == 0, build.output
    counts = "select * from audit.extract_row_counts order by extract_name"
    assert build.query(counts) == tiny_build.query(counts)
    contacts = "select * from staging.stg_crm__contacts order by contact_id"
    assert build.query(contacts) == tiny_build.query(contacts)
