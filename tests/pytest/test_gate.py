"""The gate reads large marts a chunk at a time and still sees the whole table."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from conftest import Build, copy_build
from cx.gate import for_gx, run_gate

MARTS = 16
TOTAL_EXPECTATIONS = 173


@pytest.fixture
def broken(tiny_build: Build, tmp_path: Path) -> Path:
    """A touchpoint stored twice, one dated tomorrow, and journey stages without touchpoints."""
    return copy_build(
        tiny_build,
        tmp_path / "broken" / "build.duckdb",
        "insert into intermediate.int_touchpoints_unioned"
        " (select * from intermediate.int_touchpoints_unioned order by touchpoint_id desc limit 1)",
        "update marts.fct_customer_journeys set touchpoints_in_stage = 0",
        "update intermediate.int_touchpoints_unioned set occurred_at = now() + interval 1 day"
        " where touchpoint_id = (select min(touchpoint_id)"
        " from intermediate.int_touchpoints_unioned)",
    )


def test_chunked_validation_checks_every_expectation(tiny_build, tmp_path, monkeypatch):
    monkeypatch.setenv("CX_GATE_CHUNK_ROWS", "3")
    result = run_gate(tiny_build.database, tmp_path / "gx")
    assert result.success, result.format()
    assert sum(result.checked.values()) == TOTAL_EXPECTATIONS
    # Keys and row counts of the marts larger than a chunk go to a table-level suite.
    assert "fct_touchpoints__table" in result.checked
    assert len(result.checked) > MARTS + 2


def test_a_duplicate_key_is_caught_whole_or_in_chunks(broken, tmp_path, monkeypatch):
    with duckdb.connect(str(broken), read_only=True) as con:
        duplicated, journeys, empty = con.sql(
            "select (select max(touchpoint_id) from marts.fct_touchpoints),"
            " (select count(*) from marts.fct_customer_journeys),"
            " (select count(*) from marts.fct_customer_journeys where touchpoints_in_stage = 0)"
        ).fetchall()[0]
    assert journeys == empty > 3  # more than one chunk of three rows

    whole = run_gate(broken, tmp_path / "whole")
    failed = {(f.suite, f.expectation, f.column): f for f in whole.failures}
    unique = failed[("fct_touchpoints", "expect_column_values_to_be_unique", "touchpoint_id")]
    assert unique.unexpected_count == 2 and set(unique.examples) == {duplicated}
    stages = ("fct_customer_journeys", "expect_column_values_to_be_between", "touchpoints_in_stage")
    assert failed[stages].unexpected_count == empty
    future = ("fct_touchpoints", "expect_column_max_to_be_between", "occurred_at")
    assert future in failed

    monkeypatch.setenv("CX_GATE_CHUNK_ROWS", "3")
    chunked = run_gate(broken, tmp_path / "chunked")
    assert not chunked.success
    failed = {(f.suite, f.expectation, f.column): f for f in chunked.failures}
    keys = failed[("fct_touchpoints__table", "expect_column_values_to_be_between", "difference")]
    assert keys.unexpected_count == 1
    assert keys.examples == [["(touchpoint_id) is unique", 1, [[duplicated, 2]]]]
    assert failed[stages].unexpected_count == empty  # added up over the chunks
    assert failed[stages].examples == [0] * min(empty, 5)
    assert future in failed
    assert "FAILED fct_touchpoints__table.difference" in chunked.format()


def test_integers_reach_gx_as_int64_and_nullable_ones_as_float() -> None:
    """GX compares int64 and float64 with a range in one step, other dtypes value by value."""
    with duckdb.connect() as con:
        frame = con.sql(
            "select * from (values (1::integer, 5::bigint, 2::integer, true, 'a'),"
            " (6::integer, 6::bigint, null::integer, false, 'b'))"
            " as line (stage, big, score, flag, label)"
        ).df()
    assert str(frame["stage"].dtype) == "int32"  # as DuckDB hands it over
    converted = for_gx(frame)
    assert {c: str(t) for c, t in converted.dtypes.items() if c != "label"} == {
        "stage": "int64",
        "big": "int64",
        "score": "float64",
        "flag": "bool",
    }
    assert converted["stage"].tolist() == [1, 6]
    assert converted["score"].iloc[0] == 2.0 and converted["score"].isna().iloc[1]
    assert converted["label"].tolist() == ["a", "b"]


def test_touchpoints_must_reconcile_key_for_key_with_tickets_and_responses(tiny_build, tmp_path):
    """A ticket without its touchpoint and a response touchpoint with another customer."""
    unreconciled = copy_build(
        tiny_build,
        tmp_path / "unreconciled" / "build.duckdb",
        "delete from intermediate.int_touchpoints_unioned"
        " where touchpoint_id = 'support_ticket:501'",
        "update intermediate.int_touchpoints_unioned set customer_id = null"
        " where touchpoint_id = 'survey_response:R_aaaaaaaaaaaaaaa'",
    )
    result = run_gate(unreconciled, tmp_path / "gx")
    assert not result.success
    (failed,) = [f for f in result.failures if f.suite == "reconciliation"]
    # 2 tickets, 1 ticket touchpoint; one key on one side only; one customer differs.
    assert sorted(failed.examples) == [
        ["response touchpoints and fct_survey_responses differ in no key or customer", 0, 1],
        ["ticket touchpoints = tickets in fct_support_tickets", 2, 1],
        ["ticket touchpoints and fct_support_tickets differ in no key or customer", 0, 1],
    ]


def test_purchase_stage_must_name_the_customers_of_fct_customer_value(tiny_build, tmp_path):
    """A customer in the value mart whose journey never reached the purchase stage."""
    unreconciled = copy_build(
        tiny_build,
        tmp_path / "unreconciled" / "build.duckdb",
        "delete from marts.fct_customer_journeys where journey_stage = 'purchase'",
    )
    result = run_gate(unreconciled, tmp_path / "gx")
    (failed,) = [f for f in result.failures if f.suite == "reconciliation"]
    assert failed.examples == [
        ["purchase stage customers and fct_customer_value differ in no customer", 0, 1]
    ]


def test_the_gate_checks_intervals_and_survey_types(tiny_build, tmp_path):
    """A Wilson interval upside down and a pooled NPS survey type do not publish."""
    broken = copy_build(
        tiny_build,
        tmp_path / "intervals" / "build.duckdb",
        "update marts.mart_support_monthly set helpdesk_csat_ci_low = 0.9,"
        " helpdesk_csat_ci_high = 0.1 where helpdesk_csat_n > 0",
        "update marts.mart_nps_monthly set survey_type = 'all' where responses > 0",
    )
    result = run_gate(broken, tmp_path / "gx")
    failed = {(f.suite, f.expectation, f.column) for f in result.failures}
    assert not result.success
    assert failed == {
        # the pair check names no single column
        ("mart_support_monthly", "expect_column_pair_values_a_to_be_greater_than_b", None),
        ("mart_nps_monthly", "expect_column_values_to_be_in_set", "survey_type"),
    }
