"""The gate validates every mart inside DuckDB, read-only, and finds every planted defect.

A rule that a dbt test checks is not checked again by the gate: a defect it catches
is planted here too, and ``dbt test`` must stop it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from conftest import REPO, TINY, Build, copy_build, dbt_command
from cx.gate import run_gate
from cx.gate import suites as gate_suites

MARTS = 28
TOTAL_EXPECTATIONS = 120  # 116 over the marts, 1 over the reconciliations, 3 of freshness


# An activity's touchpoint stored twice (dbt's unique tests on int_touchpoints_staged and
# fct_touchpoints stop it).
DUPLICATE_TOUCHPOINT = (
    "insert into intermediate.int_touchpoints_staged"
    " (select * from intermediate.int_touchpoints_staged"
    " where touchpoint_id like 'crm_activity:%' order by touchpoint_id desc limit 1)"
)


@pytest.fixture
def broken(tiny_build: Build, tmp_path: Path) -> Path:
    """A touchpoint stored twice, one dated tomorrow, and journey stages without touchpoints."""
    return copy_build(
        tiny_build,
        tmp_path / "broken" / "build.duckdb",
        DUPLICATE_TOUCHPOINT,
        "update marts.fct_customer_journeys set touchpoints_in_stage = 0",
        "update intermediate.int_touchpoints_staged set occurred_at = now() + interval 1 day"
        " where touchpoint_id = (select min(touchpoint_id)"
        " from intermediate.int_touchpoints_staged)",
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


def test_data_docs_render_this_runs_pages_and_index_every_run(tiny_build, tmp_path):
    """A second gate renders its own pages, leaves the first run's untouched, and the
    index lists both runs: the docs cost no more on the hundredth build than the first."""
    docs = tmp_path / "gx"
    first = run_gate(tiny_build.database, docs)
    pages = docs.rglob("uncommitted/data_docs/local_site/validations/**/*.html")
    written = {page: page.stat().st_mtime_ns for page in pages}
    assert len(written) == MARTS + 2  # one page per suite
    second = run_gate(tiny_build.database, docs)
    assert first.success and second.success
    pages = docs.rglob("uncommitted/data_docs/local_site/validations/**/*.html")
    now = {page: page.stat().st_mtime_ns for page in pages}
    assert len(now) == 2 * (MARTS + 2)
    assert {page: now[page] for page in written} == written  # not rendered again
    index = second.docs_index.read_text(encoding="utf-8")
    run_times = {page.parent.name for page in now}  # .../<run name>/<run time>/<batch>.html
    assert len(run_times) >= 2 and all(run_time in index for run_time in run_times)


def test_every_bad_value_is_counted_exactly_and_keys_are_left_to_dbt(broken, tmp_path):
    with duckdb.connect(str(broken), read_only=True) as con:
        journeys, empty = con.sql(
            "select count(*), count(*) filter (where touchpoints_in_stage = 0)"
            " from marts.fct_customer_journeys"
        ).fetchall()[0]
    assert journeys == empty > 3

    result = run_gate(broken, tmp_path / "gx")
    assert not result.success
    failed = {(f.suite, f.expectation, f.column): f for f in result.failures}
    stages = ("fct_customer_journeys", "expect_column_values_to_be_between", "touchpoints_in_stage")
    assert failed[stages].unexpected_count == empty
    assert failed[stages].examples == [0] * min(empty, 5)  # at most five examples
    future = ("fct_touchpoints", "expect_column_max_to_be_between", "occurred_at")
    assert future in failed
    # The duplicated key is dbt's unique test's to find (test_dbt_tests_stop_...).
    assert not [f for f in result.failures if "unique" in f.expectation]
    report = result.format()
    assert (
        "FAILED fct_customer_journeys.touchpoints_in_stage:"
        f" expect_column_values_to_be_between, {empty} rows"
    ) in report
    assert "FAILED fct_touchpoints.occurred_at: expect_column_max_to_be_between" in report


def test_stage_counts_come_from_the_journey_stages_seed(monkeypatch):
    """A stage added to the seed changes the funnel's row count and the stage order range."""
    stages = [*gate_suites.journey_stages(), "advocacy"]
    monkeypatch.setattr(gate_suites, "journey_stages", lambda: stages)
    suites = gate_suites.mart_suites(dt.datetime(2030, 1, 1))
    (funnel_rows,) = [
        e for e in suites["mart_journey_funnel"]
        if e.expectation_type == "expect_table_row_count_to_equal"
    ]  # fmt: skip
    assert funnel_rows.configuration.kwargs["value"] == 6  # the five of the seed, and one
    (order,) = [
        e for e in suites["fct_touchpoints"]
        if e.configuration.kwargs.get("column") == "stage_order"
    ]  # fmt: skip
    assert order.configuration.kwargs["max_value"] == 6


def test_a_var_that_is_not_a_list_is_named(monkeypatch):
    from cx_bench import gate as bench_gate

    monkeypatch.setattr(bench_gate, "dbt_vars", lambda: {"segments": "consumer"})
    with pytest.raises(ValueError, match=r"dbt_project\.yml: vars\.segments is not a list"):
        bench_gate.enum("segments")


def test_a_staged_ticket_missing_from_its_mart_fails_the_reconciliation(tiny_build, tmp_path):
    unreconciled = copy_build(
        tiny_build,
        tmp_path / "unreconciled" / "build.duckdb",
        "delete from marts.fct_support_tickets where ticket_id = 501",
    )
    result = run_gate(unreconciled, tmp_path / "gx")
    assert not result.success
    (failed,) = [f for f in result.failures if f.suite == "reconciliation"]
    # The tiny extracts stage 2 tickets; 1 is left in the mart.
    # ...and the stage mart, built from the tickets before one went, counts 2 against 1.
    assert failed.examples == [
        ["every staged ticket is in fct_support_tickets", 2, 1],
        ["every ticket is in exactly one row of mart_stage_experience", 1, 2],
    ]


def _dbt_tests(model: dict[str, Any]) -> set[tuple[str, ...]]:
    """The rules dbt checks on one mart: (kind, column...) for keys, enums and columns."""
    rules: set[tuple[str, ...]] = set()
    for test in model.get("data_tests") or []:
        if isinstance(test, dict) and "unique_combination" in test:
            columns = test["unique_combination"]["arguments"]["columns"]
            rules.add(("unique", *sorted(columns)))
    for column in model.get("columns") or []:
        name = column["name"]
        for test in column.get("data_tests") or []:
            kind = test if isinstance(test, str) else next(iter(test))
            if kind in ("unique", "not_null"):
                rules.add((kind, name))
            if kind in ("accepted_values", "relationships"):
                rules.add(("in_set", name))
        if any(c.get("type") == "not_null" for c in column.get("constraints") or []):
            rules.add(("not_null", name))
    return rules


GATE_RULES = {
    "expect_column_values_to_be_unique": "unique",
    "expect_compound_columns_to_be_unique": "unique",
    "expect_column_values_to_not_be_null": "not_null",
    "expect_column_values_to_be_in_set": "in_set",
}


def test_the_gate_checks_no_key_enum_or_column_set_that_dbt_checks():
    """Keys, enums and a contracted mart's columns are dbt's: the gate repeats none."""
    models = {}
    for path in (REPO / "models" / "marts").rglob("_*models.yml"):
        text = path.read_text(encoding="utf-8")
        # A mart test that only warns would not stop the build: the gate could not rely on it.
        assert "severity" not in text, path
        for model in yaml.safe_load(text)["models"]:
            models[model["name"]] = model
    project = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))
    assert project["models"]["cx"]["marts"]["+contract"]["enforced"] is True
    suites = gate_suites.mart_suites(dt.datetime(2030, 1, 1))
    assert set(suites) <= set(models)
    twice = []
    for mart, expectations in suites.items():
        dbt_rules = _dbt_tests(models[mart])
        for expectation in expectations:
            kwargs = expectation.configuration.kwargs
            if expectation.expectation_type == "expect_table_columns_to_match_set":
                twice.append((mart, "columns: the enforced contract"))
            kind = GATE_RULES.get(expectation.expectation_type)
            columns = kwargs.get("column_list") or [kwargs.get("column")]
            if kind and (kind, *sorted(columns)) in dbt_rules:
                twice.append((mart, kind, *columns))
    assert twice == []


@pytest.mark.build
def test_dbt_tests_stop_the_defects_the_gate_leaves_to_them(tiny_build, tmp_path):
    """Defects the gate once caught and a dbt test now catches: ``dbt test`` fails on each,
    with the rows it counts, so `cx build` stops before the gate."""
    workdir = tmp_path / "dbt-test"
    broken = copy_build(
        tiny_build,
        workdir / "build.duckdb",
        DUPLICATE_TOUCHPOINT,
        # A Wilson interval upside down, a pooled NPS survey type.
        "update marts.mart_support_monthly set helpdesk_csat_ci_low = 0.9,"
        " helpdesk_csat_ci_high = 0.1 where helpdesk_csat_n > 0",
        "update marts.mart_nps_monthly set survey_type = 'all' where responses > 0",
        # A ticket without its touchpoint, a response touchpoint with another customer.
        "delete from intermediate.int_touchpoints_staged"
        " where touchpoint_id = 'support_ticket:501'",
        "update intermediate.int_touchpoints_staged set customer_id = null"
        " where touchpoint_id = 'survey_response:R_aaaaaaaaaaaaaaa'",
        # A customer in the value mart whose journey never reached the purchase stage.
        "delete from marts.fct_customer_journeys where journey_stage = 'purchase'",
        # An agent's reopen interval upside down, a stage nobody defined.
        "update marts.mart_agent_performance set reopen_rate_ci_low = 0.9,"
        " reopen_rate_ci_high = 0.1 where reopen_rate_n > 0",
        "update marts.mart_stage_experience set journey_stage = 'checkout'"
        " where journey_stage = 'unknown'",
    )
    with duckdb.connect(str(broken), read_only=True) as con:
        upside_down = con.sql(
            "select count(*) from marts.mart_support_monthly where helpdesk_csat_n > 0"
        ).fetchall()[0][0]
        valued = con.sql("select count(*) from marts.fct_customer_value").fetchall()[0][0]
        reopen_upside_down = con.sql(
            "select count(*) from marts.mart_agent_performance where reopen_rate_n > 0"
        ).fetchall()[0][0]
        checkout = con.sql(
            "select count(*) from marts.mart_stage_experience where journey_stage = 'checkout'"
        ).fetchall()[0][0]
    assert upside_down > 0 and valued > 0 and reopen_upside_down > 0 and checkout > 0

    run = dbt_command(
        "test", workdir, TINY, "--exclude", "test_type:unit", "--select",
        "int_touchpoints_staged fct_touchpoints mart_support_monthly mart_nps_monthly"
        " fct_customer_journeys mart_agent_performance mart_stage_experience",
    )  # fmt: skip

    assert run.returncode != 0
    manifest = json.loads((workdir / "target" / "manifest.json").read_text(encoding="utf-8"))
    results = json.loads((workdir / "target" / "run_results.json").read_text(encoding="utf-8"))

    def name(unique_id: str) -> str:
        node = manifest["nodes"][unique_id]
        if not node.get("test_metadata"):
            return node["name"]  # a singular test, tests/marts/
        return f"{node['attached_node'].split('.')[-1]}.{node['test_metadata']['name']}"

    failed = {
        name(r["unique_id"]): r["failures"] for r in results["results"] if r["status"] == "fail"
    }
    assert failed == {
        # One key, twice: stopped where the touchpoints are stored, before any reader.
        "int_touchpoints_staged.unique": 1,
        "fct_touchpoints.unique": 1,
        "mart_support_monthly.rate_with_interval": upside_down,  # every month with an n
        "mart_nps_monthly.accepted_values": 1,  # one value: 'all'
        # ticket 501 without a touchpoint, R_aaaaaaaaaaaaaaa's customer differs: 2 rows
        "assert_touchpoints_reconcile_with_tickets_and_responses": 2,
        # every valued customer has lost the purchase stage
        "assert_purchasers_agree_with_customer_value": valued,
        "mart_agent_performance.rate_with_interval": reopen_upside_down,
        "mart_stage_experience.accepted_values": 1,  # one value: 'checkout'
    }


def test_the_gate_reconciles_the_team_mart_with_the_agent_mart(tiny_build, tmp_path):
    """A team's tickets gone: no single-mart dbt test sees it; the reconciliation does."""
    broken = copy_build(
        tiny_build,
        tmp_path / "agents" / "build.duckdb",
        "delete from marts.mart_team_performance where tickets_assigned > 0",
    )
    result = run_gate(broken, tmp_path / "gx")
    assert not result.success
    (reconciliation,) = result.failures
    assert reconciliation.suite == "reconciliation"
    assert reconciliation.examples == [
        ["mart_team_performance counts the tickets of mart_agent_performance", 1, 0]
    ]


def test_a_cross_table_query_is_validated_as_the_rows_it_returned(tmp_path):
    """Each cross-table query runs once; GX reads its rows back as typed literals, which
    must be the same values, of the same types, whatever they hold."""
    import sqlalchemy as sa

    from cx.gate.runner import _computed, _rows

    database = tmp_path / "values.duckdb"
    duckdb.connect(str(database)).close()
    query = (
        "select * from (values"
        " ('it''s \"quoted\"', 3::hugeint, 2.5::decimal(18, 2), 'inf'::double, true,"
        "  timestamp '2025-10-31 23:59:49.123456', date '2025-10-31', null::bigint),"
        " ('nan', -1::hugeint, null::decimal(18, 2), 'nan'::double, false, null, null, 7))"
        " as t(name, n, amount, ratio, flag, seen_at, day, missing)"
    )
    engine = sa.create_engine(f"duckdb:///{database}")
    try:
        computed = _computed(engine, query)
        back = _rows(engine, computed["query"])
        types = _rows(engine, f"describe {computed['query']}")
        original_types = _rows(engine, f"describe {query}")
    finally:
        engine.dispose()
    assert [t[:2] for t in types] == [t[:2] for t in original_types]
    assert len(back) == len(computed["rows"]) == 2
    for got, want in zip(back, computed["rows"], strict=True):
        # NaN is not equal to itself: compare it by its text.
        assert [repr(v) for v in got] == [repr(v) for v in want]
    assert back[0][:2] == ('it\'s "quoted"', 3) and repr(back[1][3]) == "nan"


def _order_after_every_touchpoint(status: str) -> str:
    """A copy of a staged order with a new id and this status, an hour after the latest
    touchpoint."""
    return (
        "insert into staging.stg_crm__orders select * replace ("
        " 'O-LATEST' as order_id, "
        f" '{status}' as status, {status == 'completed'} as is_completed,"
        f" {status != 'cancelled'} as is_touchpoint,"
        " (select max(occurred_at) from intermediate.int_touchpoints_staged) + interval 1 hour"
        " as ordered_at) from staging.stg_crm__orders limit 1"
    )


def test_a_cancelled_order_after_the_latest_touchpoint_leaves_the_marts_fresh(tiny_build, tmp_path):
    """A cancelled order is no touchpoint: when it is the extracts' latest line, the marts
    are still as fresh as the extracts."""
    cancelled = copy_build(
        tiny_build,
        tmp_path / "cancelled" / "build.duckdb",
        _order_after_every_touchpoint("cancelled"),
    )
    result = run_gate(cancelled, tmp_path / "gx")
    assert result.success, result.format()


def test_an_order_missing_from_the_touchpoints_leaves_the_marts_stale(tiny_build, tmp_path):
    completed = copy_build(
        tiny_build,
        tmp_path / "completed" / "build.duckdb",
        _order_after_every_touchpoint("completed"),
    )
    result = run_gate(completed, tmp_path / "gx")
    assert not result.success
    assert ("freshness", "latest_in_marts") in {(f.suite, f.column) for f in result.failures}
