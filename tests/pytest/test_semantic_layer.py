"""The semantic layer (MetricFlow, models/semantic/) on the committed sample: every metric
returns, at two grains or more, what a hand-written query over the marts returns, so a
metric definition that drifts from its mart fails here.

MetricFlow writes the SQL of each query (its own planner and DuckDB dialect, as `mf query`
does); DuckDB runs it on the sample's build database. `mf` itself, through dbt's adapter,
is run once for `mf validate-configs` and once for a query.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, Build, build_env, copy_build, dbt_command

pytestmark = pytest.mark.build

MF = Path(sys.executable).with_name("mf")

# Everything the semantic models and the marts compared with read, without dbt's tests
# (the sample's build with every test is test_build's and the gate's business).
SELECTED = [
    "+dim_customers", "+dim_agents", "+fct_survey_responses", "+fct_support_tickets",
    "+fct_touchpoints", "+int_orders_converted", "+fct_customer_value", "+fct_customer_churn",
    "time_spine_daily", "+mart_nps_monthly", "+mart_csat_ces_monthly", "+mart_support_monthly",
    "+mart_team_performance", "+mart_cohort_retention", "+mart_channel_mix",
]  # fmt: skip


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The committed sample built into a database and target folder of its own."""
    workdir = tmp_path_factory.mktemp("semantic")
    build = dbt_command(
        "build", workdir, None, "--select", *SELECTED,
        "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
    )  # fmt: skip
    assert build.returncode == 0, build.output
    return build


class _DuckDbDialect:
    """What MetricFlow's planner asks of a SQL client to write SQL: the engine and its
    renderer. The tests run the SQL in DuckDB themselves; this client never does."""

    def __init__(self) -> None:
        from metricflow.protocols.sql_client import SqlEngine
        from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer

        self.sql_engine_type = SqlEngine.DUCKDB
        self.sql_plan_renderer = DuckDbSqlPlanRenderer()

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"

    def query(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("the tests run MetricFlow's SQL in DuckDB themselves")

    execute = dry_run = query

    def close(self) -> None:
        pass


def _semantic_queries(build: Build):
    """A function: metrics and group-bys -> {group-by values: {metric: value}}, answered
    on ``build`` with its own semantic manifest; and the connection to close."""
    from metricflow.engine.metricflow_engine import MetricFlowEngine, MetricFlowQueryRequest
    from metricflow_semantics.model.dbt_manifest_parser import (
        parse_manifest_from_dbt_generated_manifest,
    )
    from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

    manifest_json = (build.database.parent / "target" / "semantic_manifest.json").read_text(
        encoding="utf-8"
    )
    manifest = parse_manifest_from_dbt_generated_manifest(manifest_json)
    engine = MetricFlowEngine(SemanticManifestLookup(manifest), _DuckDbDialect())
    con = duckdb.connect(str(build.database), read_only=True)

    def query(metrics: list[str], group_by: list[str]) -> dict[tuple, dict[str, object]]:
        request = MetricFlowQueryRequest.create(metric_names=metrics, group_by_names=group_by)
        statement = engine.explain(request).sql_statement
        assert not statement.bind_parameter_set.param_items
        relation = con.sql(statement.sql)
        rows: dict[tuple, dict[str, object]] = {}
        for row in relation.fetchall():
            values = dict(zip(relation.columns, row, strict=True))
            key = tuple(_day(values.pop(name)) for name in group_by)
            assert key not in rows, key
            rows[key] = values
        return rows

    return query, con


@pytest.fixture(scope="module")
def semantic(sample: Build):
    """Semantic-layer queries on the sample (``_semantic_queries``)."""
    query, con = _semantic_queries(sample)
    yield query
    con.close()


@pytest.fixture(scope="module")
def tiny_semantic(tiny_build: Build):
    """Semantic-layer queries on the hand-made tiny extracts (``_semantic_queries``)."""
    query, con = _semantic_queries(tiny_build)
    yield query
    con.close()


def _day(value: object) -> object:
    """A period's start as a date (MetricFlow truncates timestamps), anything else as is."""
    return value.date() if isinstance(value, dt.datetime) else value


def _marts(sample: Build, sql: str, metrics: list[str]) -> dict[tuple, dict[str, object]]:
    """{keys: {metric: value}} from a query whose last len(metrics) columns are the metrics."""
    rows = {}
    for row in sample.query(sql):
        keys, values = row[: len(row) - len(metrics)], row[len(row) - len(metrics) :]
        rows[tuple(_day(key) for key in keys)] = dict(zip(metrics, values, strict=True))
    return rows


def _assert_same(got: dict, expected: dict) -> None:
    """Same keys, and every value equal (floats within 1e-9 relative, 1e-9 absolute)."""
    assert expected, "the sample holds no rows to compare"
    assert sorted(got, key=repr) == sorted(expected, key=repr)
    for key, values in expected.items():
        for metric, value in values.items():
            mf_value = got[key][metric]
            if value is None or mf_value is None:
                assert mf_value is None and value is None, (key, metric, mf_value, value)
            else:
                assert math.isclose(float(mf_value), float(value), rel_tol=1e-9, abs_tol=1e-9), (
                    key,
                    metric,
                    mf_value,
                    value,
                )


def _quarter(row: dict[str, str]) -> dt.date:
    """The quarter's first day from `mf query --csv`'s `metric_time__quarter`."""
    return dt.datetime.fromisoformat(row["metric_time__quarter"]).date()


def _with(rows: dict, metric: str) -> dict:
    """The rows where ``metric`` (a count) is above zero."""
    return {key: values for key, values in rows.items() if values[metric]}


NPS_METRICS = [
    "nps_responses",
    "promoters",
    "detractors",
    "nps",
    "promoter_share",
    "detractor_share",
]


def test_nps_by_month_and_survey_type_is_mart_nps_monthly(semantic, sample: Build):
    got = semantic(
        [*NPS_METRICS, "nps_survey_types"], ["metric_time__month", "response__survey_type"]
    )
    # CSAT and CES responses answer no NPS question: no responses, no NPS.
    for (_, survey_type), values in got.items():
        if survey_type in ("csat", "ces"):
            assert values["nps_responses"] == 0 and values["nps"] is None
        else:
            assert values["nps_survey_types"] == 1
    expected = _marts(
        sample,
        "select month, survey_type, responses, promoters, detractors, nps,"
        " promoters / responses, detractors / responses"
        " from marts.mart_nps_monthly where segment = 'all' and responses > 0",
        NPS_METRICS,
    )
    nps_rows = _with(got, "nps_responses")
    _assert_same({key: {m: nps_rows[key][m] for m in NPS_METRICS} for key in nps_rows}, expected)


def test_nps_by_segment_and_survey_type_adds_up_the_months(semantic, sample: Build):
    # Over the months: NPS = 100 * (sum promoters - sum detractors) / sum responses, by
    # the segment when answering (`unknown` included), as the mart counts it.
    got = semantic(NPS_METRICS, ["response__segment_at_response", "response__survey_type"])
    expected = _marts(
        sample,
        "select segment, survey_type, sum(responses), sum(promoters),"
        " sum(detractors), 100.0 * (sum(promoters) - sum(detractors)) / sum(responses),"
        " sum(promoters) / sum(responses), sum(detractors) / sum(responses)"
        " from marts.mart_nps_monthly where segment <> 'all'"
        " group by all having sum(responses) > 0",
        NPS_METRICS,
    )
    _assert_same(_with(got, "nps_responses"), expected)


def test_nps_is_never_pooled_over_survey_types(semantic, sample: Build):
    # By quarter alone: where both NPS survey types answered, NPS and the shares are null
    # (never one pooled score); where only one did, they are that type's.
    got = semantic([*NPS_METRICS, "nps_survey_types"], ["metric_time__quarter"])
    expected = _marts(
        sample,
        "select date_trunc('quarter', month), sum(responses), sum(promoters), sum(detractors),"
        " case when count(distinct survey_type) filter (where responses > 0) = 1"
        "  then 100.0 * (sum(promoters) - sum(detractors)) / sum(responses) end,"
        " case when count(distinct survey_type) filter (where responses > 0) = 1"
        "  then sum(promoters) / sum(responses) end,"
        " case when count(distinct survey_type) filter (where responses > 0) = 1"
        "  then sum(detractors) / sum(responses) end,"
        " count(distinct survey_type) filter (where responses > 0)"
        " from marts.mart_nps_monthly where segment = 'all' group by all having sum(responses) > 0",
        [*NPS_METRICS, "nps_survey_types"],
    )
    _assert_same(_with(got, "nps_responses"), expected)
    assert any(values["nps_survey_types"] == 2 and values["nps"] is None for values in got.values())


SURVEY_METRICS = [
    "csat_responses", "csat_satisfied", "csat",
    "ces_responses", "ces_easy", "ces_easy_share", "ces",
]  # fmt: skip


def test_csat_and_ces_by_month_are_mart_csat_ces_monthly(semantic, sample: Build):
    got = semantic(SURVEY_METRICS, ["metric_time__month"])
    expected = _marts(
        sample,
        "select month, csat_responses, csat_satisfied, survey_csat_share, ces_responses, ces_easy,"
        " ces_easy_share, ces_mean from marts.mart_csat_ces_monthly"
        " where csat_responses + ces_responses > 0",
        SURVEY_METRICS,
    )
    got = {k: v for k, v in got.items() if v["csat_responses"] + v["ces_responses"] > 0}
    _assert_same(got, expected)


def test_csat_and_ces_by_quarter_add_up_the_months(semantic, sample: Build):
    # A quarter's CES mean is its months' means weighted by their responses.
    got = semantic(SURVEY_METRICS, ["metric_time__quarter"])
    expected = _marts(
        sample,
        "select date_trunc('quarter', month), sum(csat_responses), sum(csat_satisfied),"
        " sum(csat_satisfied) / nullif(sum(csat_responses), 0), sum(ces_responses), sum(ces_easy),"
        " sum(ces_easy) / nullif(sum(ces_responses), 0),"
        " sum(ces_mean * ces_responses) / nullif(sum(ces_responses), 0)"
        " from marts.mart_csat_ces_monthly group by all"
        " having sum(csat_responses) + sum(ces_responses) > 0",
        SURVEY_METRICS,
    )
    got = {k: v for k, v in got.items() if v["csat_responses"] + v["ces_responses"] > 0}
    _assert_same(got, expected)


SUPPORT_METRICS = [
    "tickets", "solved_tickets", "one_touch_tickets", "one_touch_rate", "good_ratings",
    "rated_tickets", "helpdesk_csat", "median_first_reply_minutes",
]  # fmt: skip


def test_support_metrics_by_month_are_mart_support_monthly(semantic, sample: Build):
    got = semantic(SUPPORT_METRICS, ["metric_time__month"])
    expected = _marts(
        sample,
        "select month, tickets, solved_tickets, one_touch_tickets, one_touch_rate, good_ratings,"
        " good_ratings + bad_ratings, helpdesk_csat, median_first_reply_minutes"
        " from marts.mart_support_monthly where channel = 'all' and tickets > 0",
        SUPPORT_METRICS,
    )
    _assert_same(got, expected)


def test_support_metrics_by_month_and_team_are_mart_team_performance(semantic, sample: Build):
    # Tickets without an agent or admin assignee have no team, here as in the mart.
    got = semantic(SUPPORT_METRICS, ["metric_time__month", "agent__team"])
    expected = _marts(
        sample,
        "select month, team, tickets_assigned, solved_tickets, one_touch_tickets, one_touch_rate,"
        " good_ratings, good_ratings + bad_ratings, helpdesk_csat, median_first_reply_minutes"
        " from marts.mart_team_performance where tickets_assigned > 0",
        SUPPORT_METRICS,
    )
    assert {team for (_, team) in got} - {team for (_, team) in expected} == {None}
    _assert_same({key: values for key, values in got.items() if key[1] is not None}, expected)


def test_revenue_by_month_is_mart_cohort_retention(semantic, sample: Build):
    # A cohort row's month is its cohort month plus the months since the first order.
    got = semantic(["revenue_usd", "purchases"], ["metric_time__month"])
    expected = _marts(
        sample,
        "select cohort_month + to_months(months_since_first_order), sum(revenue_usd)"
        " from marts.mart_cohort_retention group by all having sum(active_customers) > 0",
        ["revenue_usd"],
    )
    revenue = {key: {"revenue_usd": values["revenue_usd"]} for key, values in got.items()}
    _assert_same(_with(revenue, "revenue_usd"), expected)
    # Months with orders but no purchase (only refunds or cancellations) have no revenue.
    assert all(values["revenue_usd"] is None for values in got.values() if not values["purchases"])


@pytest.mark.parametrize("dimension", ["segment", "country"])
def test_revenue_and_purchases_by_customer_are_fct_customer_value(
    semantic, sample: Build, dimension
):
    # The sample's CLV observation end is its last order: historical revenue is all of it.
    got = semantic(["revenue_usd", "purchases"], [f"customer__{dimension}"])
    expected = _marts(
        sample,
        f"select customers.{dimension}, sum(value.historical_revenue_usd), sum(value.orders)"
        " from marts.fct_customer_value as value"
        " inner join marts.dim_customers as customers using (customer_id) group by all",
        ["revenue_usd", "purchases"],
    )
    _assert_same(_with(got, "purchases"), expected)


@pytest.mark.parametrize(
    ("group_by", "key"),
    [
        ("metric_time__month", "date_trunc('month', first_seen_at)"),
        ("customer__segment", "segment"),
        ("customer__country", "country"),
    ],
)
def test_customers_are_dim_customers(semantic, sample: Build, group_by, key):
    got = semantic(["customers"], [group_by])
    expected = _marts(
        sample, f"select {key}, count(*) from marts.dim_customers group by all", ["customers"]
    )
    _assert_same(got, expected)


VALUE_METRICS = ["first_purchase_customers", "predicted_clv_12m_usd", "p_alive_mean"]


@pytest.mark.parametrize(
    ("group_by", "key"),
    [
        ("metric_time__month", "date_trunc('month', value.first_order_at)"),
        ("metric_time__quarter", "date_trunc('quarter', value.first_order_at)"),
        ("customer__churn_status", "churn.churn_status"),
    ],
)
def test_clv_and_p_alive_are_fct_customer_value(semantic, sample: Build, group_by, key):
    got = semantic(VALUE_METRICS, [group_by])
    expected = _marts(
        sample,
        f"select {key}, count(*), sum(value.predicted_clv_12m_usd), avg(value.p_alive)"
        " from marts.fct_customer_value as value"
        " inner join marts.fct_customer_churn as churn using (customer_id) group by all",
        VALUE_METRICS,
    )
    _assert_same(got, expected)


# mart_channel_mix's customers, written out over fct_touchpoints: observed when the first
# touchpoint + 90 days (`channel_mix_window_days`, to the microsecond) is at or before the
# data's latest touchpoint (identified or not); converted when the first purchase comes
# before that window's end.
CHANNEL_MIX_CUSTOMERS = """
    with ends as (select max(occurred_at) as observed_until from marts.fct_touchpoints),
    windows as (
        select
            customer_id,
            min(occurred_at) as first_touchpoint_at,
            min(occurred_at) + interval 90 days as window_ends_at,
            min(occurred_at) filter (where touchpoint_type = 'purchase') as first_purchase_at
        from marts.fct_touchpoints where customer_id is not null group by customer_id
    )
    select
        windows.*,
        customers.segment,
        windows.window_ends_at <= ends.observed_until as is_observed,
        coalesce(windows.first_purchase_at < windows.window_ends_at, false) as has_converted
    from windows cross join ends
    inner join marts.dim_customers as customers using (customer_id)
"""


def test_first_touch_to_purchase_rate_is_mart_channel_mix(semantic, sample: Build):
    # Overall: the mart's converted customers over its customers (on the sample
    # 1,493 / 2,684), the customers whose 90 days are over; none other is in the base.
    got = semantic(["first_touch_to_purchase_rate"], [])
    expected = _marts(
        sample,
        "select sum(converted_customers) / sum(customers) from marts.mart_channel_mix",
        ["first_touch_to_purchase_rate"],
    )
    _assert_same(got, expected)
    mart = sample.query(
        "select sum(customers), sum(converted_customers) from marts.mart_channel_mix"
    )
    written_out = sample.query(
        f"select count(*) filter (where is_observed),"
        f" count(*) filter (where is_observed and has_converted) from ({CHANNEL_MIX_CUSTOMERS})"
    )
    assert written_out == mart
    observed = sample.query(
        "select count(*) filter (where is_conversion_window_observed),"
        " count(*) filter (where not is_conversion_window_observed) from marts.dim_customers"
    )
    assert observed[0][0] == mart[0][0] and observed[0][1] > 0  # some windows are still open


@pytest.mark.parametrize(
    ("group_by", "key"),
    [
        ("metric_time__month", "date_trunc('month', first_touchpoint_at)"),
        ("customer__segment", "segment"),
    ],
)
def test_first_touch_to_purchase_rate_reads_only_observed_customers(
    semantic, sample: Build, group_by, key
):
    # By month of the first touch and by segment: the mart's definition over the observed
    # customers. A month whose customers all have open windows has no rate (no row), never
    # a low one.
    got = semantic(["first_touch_to_purchase_rate"], [group_by])
    expected = _marts(
        sample,
        f"select {key}, count(*) filter (where has_converted) / count(*)"
        f" from ({CHANNEL_MIX_CUSTOMERS}) where is_observed group by all",
        ["first_touch_to_purchase_rate"],
    )
    _assert_same(got, expected)
    open_only = sample.query(
        f"select {key} from ({CHANNEL_MIX_CUSTOMERS}) group by all having not bool_or(is_observed)"
    )
    if group_by == "metric_time__month":
        assert open_only, "the sample's last months should hold only open windows"
    assert not {_day(row[0]) for row in open_only} & {row_key[0] for row_key in got}


def test_first_touch_to_purchase_rate_window_is_exact_not_in_days(sample: Build):
    # The window ends at the first touch + 90 days to the microsecond. Counted in UTC days
    # (the first touch's day + 0 .. 89) some observed customers would change verdict: the
    # metric test above holds the exact one.
    moved = sample.query(
        f"select count(*) from ({CHANNEL_MIX_CUSTOMERS}) where is_observed and has_converted"
        " <> coalesce(cast(first_purchase_at as date) < cast(first_touchpoint_at as date) + 90,"
        " false)"
    )
    assert moved[0][0] > 0
    # And the window matters: some first purchases come after it.
    late = sample.query(
        f"select count(*) from ({CHANNEL_MIX_CUSTOMERS}) where first_purchase_at >= window_ends_at"
    )
    assert late[0][0] > 0


@pytest.mark.parametrize(
    ("group_by", "key"),
    [
        (["touchpoint__channel_group"], "channel_group"),
        (
            ["metric_time__month", "touchpoint__journey_stage"],
            "date_trunc('month', occurred_at), journey_stage",
        ),
    ],
)  # fmt: skip
def test_touchpoints_are_fct_touchpoints(semantic, sample: Build, group_by, key):
    got = semantic(["touchpoints", "touchpoint_customers"], group_by)
    expected = _marts(
        sample,
        f"select {key}, count(*), count(distinct customer_id)"
        " from marts.fct_touchpoints group by all",
        ["touchpoints", "touchpoint_customers"],
    )
    _assert_same(got, expected)


def test_metrics_on_the_tiny_extracts_by_hand(tiny_semantic):
    feb, apr = dt.date(2025, 2, 1), dt.date(2025, 4, 1)
    # One valid NPS response, R_aaaaaaaaaaaaaaa, 9 (a promoter), ended 2025-04-01 02:05 UTC
    # (the other lines are a preview, an 11, a 9.5): NPS 100 * (1 - 0) / 1 = 100, promoter
    # share 1 / 1, detractor share 0 / 1. No valid CSAT or CES response.
    nps = tiny_semantic(NPS_METRICS, ["metric_time__month", "response__survey_type"])
    _assert_same(nps, {
        (apr, "relationship_nps"): {
            "nps_responses": 1, "promoters": 1, "detractors": 0, "nps": 100.0,
            "promoter_share": 1.0, "detractor_share": 0.0,
        },
    })  # fmt: skip
    # Tickets of February 2025: 500 (agent 1, team `orders`): solved, rated good, one public
    # agent comment 30 minutes after creation (10:00 -> 10:30); 501: no assignee, new,
    # unoffered, no reply. Team `orders`: 1 ticket, one-touch 1 / 1, help-desk CSAT
    # 1 / (1 + 0), median first reply 30; no team: 1 ticket, no rate, no reply.
    support = tiny_semantic(SUPPORT_METRICS, ["metric_time__month", "agent__team"])
    _assert_same(support, {
        (feb, "orders"): {
            "tickets": 1, "solved_tickets": 1, "one_touch_tickets": 1, "one_touch_rate": 1.0,
            "good_ratings": 1, "rated_tickets": 1, "helpdesk_csat": 1.0,
            "median_first_reply_minutes": 30.0,
        },
        (feb, None): {
            "tickets": 1, "solved_tickets": 0, "one_touch_tickets": 0, "one_touch_rate": None,
            "good_ratings": 0, "rated_tickets": 0, "helpdesk_csat": None,
            "median_first_reply_minutes": None,
        },
    })  # fmt: skip
    # February's orders: O1 (C001, completed, 100.50 usd) is the one purchase of a live
    # customer; O2 is refunded, O3's contact C999 is not in the extract. Revenue 100.50.
    revenue = tiny_semantic(["revenue_usd", "purchases"], ["metric_time__month"])
    _assert_same(revenue, {(feb,): {"purchases": 1, "revenue_usd": 100.50}})
    # C001, the one customer with a touchpoint, was first touched on 2025-01-09 10:00 UTC
    # (an ad click) and first bought on 2025-02-01 15:00 UTC, 23 days later. But the
    # data's latest touchpoint is the NPS response ended 2025-04-01 02:05 UTC, before
    # C001's window ends (2025-01-09 10:00 + 90 days = 2025-04-09 10:00): C001 is not yet
    # observed for 90 days, so is neither converted nor not converted. January holds no
    # observed customer: 0 / 0, no rate (the window counted regardless read 1 / 1 = 1).
    conversion = tiny_semantic(
        ["first_touch_to_purchase_rate", "customers"], ["metric_time__month"]
    )
    assert conversion[(dt.date(2025, 1, 1),)]["first_touch_to_purchase_rate"] is None
    assert all(row["first_touch_to_purchase_rate"] is None for row in conversion.values())


def _mf(sample: Build, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """`mf` through dbt's adapter on a copy of the sample's build database (dbt's adapter
    opens it for writing, which the tests' open reader would block), from a project folder
    holding the project files and the build's semantic manifest (`mf` reads
    `<project>/target/semantic_manifest.json`)."""
    project = workdir / "project"
    if not project.exists():
        (project / "target").mkdir(parents=True)
        for name in ("dbt_project.yml", "profiles.yml"):
            shutil.copy(REPO / name, project / name)
        shutil.copy(
            sample.database.parent / "target" / "semantic_manifest.json", project / "target"
        )
    database = workdir / "build.duckdb"
    if not database.exists():
        copy_build(sample, database)
    env = build_env(workdir, None)
    env.pop("DBT_TARGET_PATH")
    return subprocess.run(
        [str(MF), *args], cwd=project, env=env, capture_output=True, text=True, check=False
    )


def test_mf_validates_the_semantic_layer_against_the_build(sample: Build, tmp_path: Path):
    proc = _mf(sample, tmp_path, "validate-configs")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ERRORS: 0" in proc.stdout
    assert "ERRORS: 1" not in proc.stdout  # the warehouse checks ran the metrics' SQL too


def test_mf_query_answers_nps_by_quarter(sample: Build, tmp_path: Path):
    out = tmp_path / "nps.csv"
    proc = _mf(
        sample, tmp_path, "query", "--metrics", "nps,nps_responses",
        "--group-by", "metric_time__quarter,response__survey_type", "--csv", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with out.open(encoding="utf-8") as rows:
        got = {
            (_quarter(row), row["response__survey_type"]): {
                "nps_responses": int(row["nps_responses"]),
                "nps": float(row["nps"]) if row["nps"] else None,
            }
            for row in csv.DictReader(rows)
        }  # fmt: skip
    expected = _marts(
        sample,
        "select date_trunc('quarter', month), survey_type, sum(responses),"
        " 100.0 * (sum(promoters) - sum(detractors)) / sum(responses)"
        " from marts.mart_nps_monthly where segment = 'all' group by all having sum(responses) > 0",
        ["nps_responses", "nps"],
    )
    _assert_same(_with(got, "nps_responses"), expected)
