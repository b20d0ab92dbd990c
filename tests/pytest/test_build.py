"""The tiny extracts, built once: what is staged and what is quarantined.

What stops a run is in test_build_stops.py, other extract sets in test_build_extracts.py
(three files, so pytest-xdist can run their builds side by side).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import Build
from cx.report import format_report, read_report

pytestmark = pytest.mark.build


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
            ("reviews/reviews", "RV3", "rating", "not_an_integer"),
        ],
        key=str,
    )


def test_quarantine_keeps_the_raw_value_and_the_whole_line(tiny_build: Build):
    raw_value, raw_row = tiny_build.query(
        "select raw_value, raw_row::varchar from audit.quarantined_rows where row_key = 'O4'"
    )[0]
    assert raw_value == "abc"
    assert '"order_id":"O4"' in raw_row and '"contact_id":"C002"' in raw_row


def test_conflicting_lines_are_quarantined_whole_and_every_line_keeps_its_raw_row(
    tiny_build: Build,
):
    amounts = tiny_build.query(
        "select raw_row ->> 'amount' from audit.quarantined_rows"
        " where extract_name = 'crm/orders' and reason = 'conflicting_duplicate'"
        " order by 1"
    )
    # Both lines of O6 (same ordered_at, 30.00 and 35.00): neither is staged.
    assert amounts == [("30.00",), ("35.00",)]
    staged = "select count(*) from staging.stg_crm__orders where order_id = 'O6'"
    assert tiny_build.query(staged) == [(0,)]
    # Every line keeps its raw row and its file, whether or not it shares its key: a line
    # typed with its own file cannot know whether a later file will share its key.
    assert tiny_build.query(
        "select order_id, _raw_row ->> 'amount', _file_name like '%/crm/orders.csv'"
        " from staging.base_crm__orders where order_id in ('O1', 'O2') order by all"
    ) == [("O1", "100.50", True), ("O1", "100.50", True), ("O2", "20.00", True)]


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
    "reviews/reviews": (3, 2, 1, 1, 0, 0),
}


def extract_counts(build: Build) -> dict[str, tuple]:
    return {
        row[0]: row[1:]
        for row in build.query(
            "select extract_name, rows_read, rows_staged, rows_quarantined, rows_with_defects,"
            " rows_conflicting, rows_superseded from audit.extract_row_counts"
        )
    }


def test_every_line_is_staged_quarantined_or_superseded(tiny_build: Build):
    assert extract_counts(tiny_build) == TINY_COUNTS


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
    assert report.unreconciled_malformed() == [] and report.unbalanced() == []
    # read, staged, quarantined, superseded, and of the quarantined, malformed
    assert ["crm/orders", "10", "3", "6", "1", "0"] in rows


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
