"""The gate validates every mart inside DuckDB, read-only, and finds every planted defect."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest

from conftest import Build, copy_build
from cx.gate import run_gate
from cx.gate import suites as gate_suites

MARTS = 17
TOTAL_EXPECTATIONS = 197  # mart_theme_sentiment: 24


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


def test_the_gate_checks_every_expectation_and_leaves_the_database_untouched(tiny_build, tmp_path):
    database = copy_build(tiny_build, tmp_path / "read_only" / "build.duckdb")
    database.chmod(0o444)  # opened read-only: a file nobody may write is enough
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    result = run_gate(database, tmp_path / "gx")
    assert result.success, result.format()
    assert sum(result.checked.values()) == TOTAL_EXPECTATIONS
    assert len(result.checked) == MARTS + 2  # every mart, the reconciliations, freshness
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    # No connection is left open: the publish step opens the file again with other settings.
    with duckdb.connect(str(database), read_only=True, config={"threads": "1"}) as con:
        assert con.sql("select count(*) from marts.mart_journey_funnel").fetchall() == [(5,)]


def test_a_duplicate_key_and_every_bad_value_are_counted_exactly(broken, tmp_path):
    with duckdb.connect(str(broken), read_only=True) as con:
        duplicated, journeys, empty = con.sql(
            "select (select max(touchpoint_id) from marts.fct_touchpoints),"
            " (select count(*) from marts.fct_customer_journeys),"
            " (select count(*) from marts.fct_customer_journeys where touchpoints_in_stage = 0)"
        ).fetchall()[0]
    assert journeys == empty > 3

    result = run_gate(broken, tmp_path / "gx")
    assert not result.success
    failed = {(f.suite, f.expectation, f.column): f for f in result.failures}
    # Both lines of the duplicated touchpoint are unexpected.
    unique = failed[("fct_touchpoints", "expect_column_values_to_be_unique", "touchpoint_id")]
    assert unique.unexpected_count == 2 and set(unique.examples) == {duplicated}
    stages = ("fct_customer_journeys", "expect_column_values_to_be_between", "touchpoints_in_stage")
    assert failed[stages].unexpected_count == empty
    assert failed[stages].examples == [0] * min(empty, 5)  # at most five examples
    future = ("fct_touchpoints", "expect_column_max_to_be_between", "occurred_at")
    assert future in failed
    report = result.format()
    unique_line = "FAILED fct_touchpoints.touchpoint_id: expect_column_values_to_be_unique, 2 rows"
    assert unique_line in report
    assert (
        "FAILED fct_customer_journeys.touchpoints_in_stage:"
        f" expect_column_values_to_be_between, {empty} rows"
    ) in report


def test_enum_lists_come_from_the_dbt_project(monkeypatch):
    """A segment added to dbt_project.yml is accepted by the gate without a Python change."""
    project = dict(gate_suites.dbt_vars())
    project["segments"] = [*project["segments"], "public_sector"]
    monkeypatch.setattr(gate_suites, "dbt_vars", lambda: project)
    suites = gate_suites.mart_suites(dt.datetime(2030, 1, 1))
    (segment,) = [
        e for e in suites["dim_customers"]
        if e.expectation_type == "expect_column_values_to_be_in_set"
        and e.configuration.kwargs["column"] == "segment"
    ]  # fmt: skip
    assert segment.configuration.kwargs["value_set"] == [
        "consumer", "smb", "enterprise", "public_sector"
    ]  # fmt: skip
    # The funnel has one row per stage of the journey_stages seed (five today).
    (funnel_rows,) = [
        e for e in suites["mart_journey_funnel"]
        if e.expectation_type == "expect_table_row_count_to_equal"
    ]  # fmt: skip
    assert funnel_rows.configuration.kwargs["value"] == 5


def test_a_var_that_is_not_a_list_is_named(monkeypatch):
    monkeypatch.setattr(gate_suites, "dbt_vars", lambda: {"segments": "consumer"})
    with pytest.raises(ValueError, match=r"dbt_project\.yml: vars\.segments is not a list"):
        gate_suites.enum("segments")


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
