"""`make superset-check`'s judgements, without Superset: datasets, the chart, the file read.

The tool runs under Superset's own interpreter (tools/superset/superset_check.py); what it
decides from Superset's answers is plain Python, tested here on hand-made answers.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys

import duckdb
import pytest

from conftest import REPO

_SPEC = importlib.util.spec_from_file_location(
    "superset_check", REPO / "tools" / "superset" / "superset_check.py"
)
superset_check = importlib.util.module_from_spec(_SPEC)
sys.modules["superset_check"] = superset_check  # dataclasses look their module up
_SPEC.loader.exec_module(superset_check)
PublishedColumn = superset_check.PublishedColumn

COLUMNS = [
    PublishedColumn("ticket_id", "BIGINT", "Ticket id."),
    PublishedColumn("tags", "VARCHAR[]", "Tags as a list."),
    PublishedColumn("created_at", "TIMESTAMP", "When the ticket was created (UTC)."),
]


def _dataset(*overrides: tuple[str, str, str | None]) -> list[dict]:
    """Superset's dataset columns as its API returns them, as it did for the real file."""
    columns = {
        "ticket_id": ("BIGINT", "Ticket id."),
        "tags": ("UNKNOWN", "Tags as a list."),
        "created_at": ("TIMESTAMP", "When the ticket was created (UTC)."),
    }
    for name, type_name, description in overrides:
        columns[name] = (type_name, description)
    return [
        {"column_name": name, "type": type_name, "description": description}
        for name, (type_name, description) in columns.items()
    ]


def test_a_dataset_with_every_column_and_description_passes_and_notes_the_list_column():
    failures, notes = superset_check.check_dataset("fct_support_tickets", COLUMNS, _dataset())
    assert failures == []
    assert notes == ["fct_support_tickets.tags (VARCHAR[]) has Superset type UNKNOWN"]


def test_a_column_without_its_comment_is_named_without_echoing_any_text():
    failures, _ = superset_check.check_dataset(
        "fct_support_tickets", COLUMNS,
        _dataset(("created_at", "TIMESTAMP", None), ("ticket_id", "BIGINT", "Ticket")),
    )  # fmt: skip
    assert failures == [
        "fct_support_tickets: 2 column(s) whose description is not the DuckDB comment:"
        " ticket_id, created_at"
    ]


def test_a_column_the_file_left_without_a_comment_fails_even_if_superset_agrees():
    columns = [*COLUMNS[:2], PublishedColumn("created_at", "TIMESTAMP", None)]
    failures, _ = superset_check.check_dataset(
        "fct_support_tickets", columns, _dataset(("created_at", "TIMESTAMP", None))
    )
    assert failures == [
        "fct_support_tickets: 1 column(s) without a comment in the published file: created_at"
    ]


def test_missing_extra_and_untyped_columns_each_fail():
    dataset = [
        column for column in _dataset(("created_at", "UNKNOWN", COLUMNS[2].comment))
        if column["column_name"] != "ticket_id"
    ] + [{"column_name": "surplus", "type": "VARCHAR", "description": None}]  # fmt: skip
    failures, _ = superset_check.check_dataset("fct_support_tickets", COLUMNS, dataset)
    assert failures == [
        "fct_support_tickets: dataset lacks columns ticket_id",
        "fct_support_tickets: dataset has columns the file has not: surplus",
        "fct_support_tickets.created_at (TIMESTAMP) has type UNKNOWN",
    ]


# 2024-04-01T00:00Z is 19,814 days after the epoch: 19,814 * 86,400,000 = 1,711,929,600,000 ms;
# 2024-05-01 is 30 days later: + 30 * 86,400,000 = 1,714,521,600,000 ms.
APRIL, MAY = 1_711_929_600_000, 1_714_521_600_000
# April: 71 responses, 20 promoters and 37 detractors: 100 * (20 - 37) / 71 = -23.943661971830984.
MART = [(dt.date(2024, 4, 1), -23.943661971830984, 71), (dt.date(2024, 5, 1), None, 0)]


def test_superset_months_arrive_as_epoch_milliseconds_in_utc():
    assert superset_check.epoch_ms_to_date(APRIL) == dt.date(2024, 4, 1)
    assert superset_check.epoch_ms_to_date(float(MAY)) == dt.date(2024, 5, 1)


def test_the_chart_equals_the_mart_up_to_rounding_and_null_months_stay_null():
    # Summed in another order the NPS may differ in its last bits: 1e-13 relative passes.
    chart = [
        {"month": APRIL, "nps": -23.943661971830984 * (1 + 1e-13), "responses": 71},
        {"month": MAY, "nps": None, "responses": 0},
    ]
    assert superset_check.compare_nps_by_month(chart, MART) == []


@pytest.mark.parametrize(
    ("chart", "failure"),
    [
        (
            [{"month": APRIL, "nps": -23.95, "responses": 71},
             {"month": MAY, "nps": None, "responses": 0}],
            "chart 2024-04: Superset NPS -23.95 of 71 responses,"
            " mart_nps_monthly -23.943661971830984 of 71",
        ),
        (
            [{"month": APRIL, "nps": -23.943661971830984, "responses": 71},
             {"month": MAY, "nps": 0.0, "responses": 0}],
            "chart 2024-05: Superset NPS 0.0 of 0 responses, mart_nps_monthly None of 0",
        ),
        (
            [{"month": APRIL, "nps": -23.943661971830984, "responses": 71}],
            "chart months differ: Superset 1 (2024-04..2024-04), DuckDB 2 (2024-04..2024-05)",
        ),
        (
            [],
            "chart months differ: Superset 0 (none), DuckDB 2 (2024-04..2024-05)",
        ),
    ],
)  # fmt: skip
def test_a_chart_that_differs_from_the_mart_fails_by_month(chart, failure):
    assert superset_check.compare_nps_by_month(chart, MART) == [failure]


def test_the_reference_is_read_from_the_file_published_marts_only(tmp_path):
    bi = tmp_path / "bi.duckdb"
    with duckdb.connect(str(bi)) as con:
        con.execute("create schema marts; create schema meta")
        con.execute(
            "create table marts.mart_nps_monthly (month date, segment varchar,"
            " survey_type varchar, nps double, responses bigint)"
        )
        con.execute("comment on column marts.mart_nps_monthly.nps is 'Net Promoter Score.'")
        con.execute("comment on table marts.mart_nps_monthly is 'NPS by month.'")
        con.execute(
            "insert into marts.mart_nps_monthly values"
            " ('2024-05-01', 'all', 'relationship_nps', null, 0),"
            " ('2024-04-01', 'all', 'relationship_nps', -23.943661971830984, 71),"
            " ('2024-04-01', 'smb', 'relationship_nps', 10.0, 10),"
            " ('2024-04-01', 'all', 'transactional_nps', 50.0, 4)"
        )
        con.execute("create table marts.scratch (x integer)")  # in the schema, not published
        con.execute("create table meta.published_marts (mart varchar, row_count bigint)")
        con.execute("insert into meta.published_marts values ('mart_nps_monthly', 4)")

    published = superset_check.read_published(bi)

    assert list(published.marts) == ["mart_nps_monthly"]
    assert [column.name for column in published.marts["mart_nps_monthly"]] == [
        "month", "segment", "survey_type", "nps", "responses",
    ]  # fmt: skip
    assert published.marts["mart_nps_monthly"][3].comment == "Net Promoter Score."
    assert published.marts["mart_nps_monthly"][0].comment is None
    assert published.comments == {"mart_nps_monthly": "NPS by month."}
    assert published.row_counts == {"mart_nps_monthly": 4}
    assert published.nps_by_month == MART  # segment `all`, relationship survey, by month


def test_a_missing_file_stops_before_anything_is_installed_or_started(tmp_path, capsys):
    assert superset_check.main([str(tmp_path / "absent.duckdb")]) == 2
    assert "absent.duckdb does not exist; run `make build` first." in capsys.readouterr().out


def test_a_file_that_is_not_a_publication_stops_with_its_name(tmp_path, capsys):
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    assert superset_check.main([str(other)]) == 2
    assert f"{other} is not a published file" in capsys.readouterr().out
