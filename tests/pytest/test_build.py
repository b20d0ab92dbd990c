"""Whole builds on hand-made extracts: what is staged, what is quarantined, what stops a run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb

from conftest import TINY, Build, copy_extracts, dbt_build
from cx import paths
from cx.contract import EXTRACTS
from cx.gate import run_gate
from cx.publish import publish

MARTS = {
    "dim_customers", "fct_touchpoints", "fct_customer_journeys", "mart_journey_funnel",
    "mart_journey_paths", "fct_support_tickets", "mart_support_monthly", "fct_survey_responses",
    "mart_nps_monthly", "mart_csat_ces_monthly", "mart_survey_exclusions", "mart_nps_drivers",
    "mart_nps_driver_summary", "fct_customer_value", "mart_cohort_retention",
    "mart_clv_model_fit",
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
            ("crm/orders", "O4", "amount", "not_a_number"),
            ("crm/orders", "O5", "ordered_at", "unparseable_timestamp"),
            ("crm/orders", "O1", "order_id", "duplicate_key"),
            ("crm/activities", "A4", "activity_type", "unknown_value"),
            ("support/users", "x1002", "user_id", "not_a_number"),
            ("support/tickets", "502", "status", "unknown_value"),
            ("support/ticket_events", "5", "is_public", "missing_value"),
            ("support/ticket_events", "6", "is_public", "not_a_boolean"),
            ("survey/responses", "R_ccccccccccccccc", "nps_score", "out_of_range"),
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


def test_a_duplicate_line_is_quarantined_whole_and_single_lines_carry_no_json(tiny_build: Build):
    (raw_row,) = tiny_build.query(
        "select raw_row::varchar from audit.quarantined_rows"
        " where extract_name = 'crm/orders' and reason = 'duplicate_key'"
    )[0]
    assert '"order_id":"O1"' in raw_row
    # A line alone with its key and without defects is staged as typed: no JSON copy.
    assert tiny_build.query(
        "select order_id, _raw_row is null from staging.base_crm__orders"
        " where order_id in ('O1', 'O2') order by order_id, _raw_row is null"
    ) == [("O1", False), ("O1", False), ("O2", True)]


def test_every_line_is_staged_quarantined_or_superseded(tiny_build: Build):
    counts = dict(
        (row[0], row[1:])
        for row in tiny_build.query(
            "select extract_name, rows_read, rows_staged, rows_with_defects, rows_superseded"
            " from audit.extract_row_counts"
        )
    )
    assert counts == {
        "crm/contacts": (7, 2, 4, 1),
        "crm/orders": (6, 3, 2, 1),
        "crm/activities": (4, 3, 1, 0),
        "support/users": (3, 2, 1, 0),
        "support/tickets": (3, 2, 1, 0),
        "support/ticket_events": (6, 4, 2, 0),
        "survey/surveys": (2, 2, 0, 0),
        "survey/responses": (6, 2, 3, 1),
    }


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


def test_a_missing_extract_stops_the_run_naming_the_file(tmp_path):
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    (extracts / "survey" / "surveys.csv").unlink()

    build = dbt_build(tmp_path, extracts)

    assert build.returncode != 0
    assert "survey/surveys.csv (or .parquet) does not exist" in build.output
    assert _staging_tables(build) == []


def test_an_unreadable_csv_stops_the_run_naming_the_file(tmp_path):
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    with (extracts / "crm" / "orders.csv").open("a", encoding="utf-8") as handle:
        handle.write('O9,C001,2025-02-01T10:00:00Z,web,completed,USD,"unterminated,\n')

    build = dbt_build(tmp_path, extracts)

    assert build.returncode != 0
    assert "crm/orders.csv" in build.output
    assert _staging_tables(build) == []


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
