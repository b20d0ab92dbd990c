"""The CX report (`warehouse/report/index.html`): written at each publish from the
published marts only, opened offline in headless Chromium with every chart drawn, and
an honest "no data" panel wherever a mart has nothing to show."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from chromium import open_page
from conftest import REPO, Build, build_env, copy_build
from cx.html_report import report_path, write_report
from cx.html_report.marts import PublishedMarts
from cx.html_report.sections import SECTIONS
from cx.publish import publish

CX = Path(sys.executable).with_name("cx")
PNG = b"\x89PNG\r\n\x1a\n"


def _bi_file(path: Path, *statements: str) -> Path:
    """A BI file made by hand: schema marts and meta, and ``statements`` run in it;
    ``meta.published_marts`` lists the tables of schema marts with their rows, as a
    publish does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.sql("create schema marts")
        con.sql("create schema meta")
        con.sql(
            "create table meta.publication as select timestamp '2025-11-01 06:00' as published_at"
        )
        for statement in statements:
            con.sql(statement)
        listed = con.sql("select table_name from duckdb_tables() where schema_name = 'marts'")
        tables = [row[0] for row in listed.fetchall()]
        con.sql("create table meta.published_marts (mart varchar, row_count bigint)")
        for table in tables:
            rows = con.sql(f"select count(*) from marts.{table}").fetchall()[0][0]
            con.execute("insert into meta.published_marts values (?, ?)", [table, rows])
    return path


# Two months of relationship NPS: 40 responses (10 promoters, 20 passives, 10
# detractors: NPS 0) and 4 (1 promoter, 3 detractors: NPS 100 * (1 - 3) / 4 = -50), the
# second a small sample; intervals as the mart would publish them (values are only drawn).
NPS_MONTHLY = """
create table marts.mart_nps_monthly as select * from (values
  (date '2025-09-01', 'all', 'relationship_nps', false, 40, 10, 20, 10,
   0.0::double, 12.0::double, -23.5::double, 23.5::double, false),
  (date '2025-10-01', 'all', 'relationship_nps', true, 4, 1, 0, 3,
   -50.0, 33.0, -98.0, 31.0, true),
  (date '2025-10-01', 'smb', 'relationship_nps', true, 4, 1, 0, 3,
   -50.0, 33.0, -98.0, 31.0, true)
) as t(month, segment, survey_type, is_partial_period, responses, promoters, passives,
       detractors, nps, nps_std_error, nps_ci_low, nps_ci_high, is_small_sample)
"""


def test_the_report_goes_beside_the_bi_file(tmp_path):
    assert report_path(tmp_path / "x" / "bi.duckdb") == tmp_path / "x" / "report" / "index.html"


def test_a_publication_without_marts_gets_a_no_data_panel_in_every_section(tmp_path):
    bi = _bi_file(tmp_path / "bi.duckdb")

    report = write_report(bi)

    assert report.path == tmp_path / "report" / "index.html"
    assert report.charts == 0
    assert len(report.without_data) == len(SECTIONS)
    html = report.path.read_text(encoding="utf-8")
    assert html.count('data-no-data="true"') == len(SECTIONS)
    assert "Not in this publication: mart_nps_monthly." in html


def test_empty_marts_are_named_as_empty_not_drawn(tmp_path):
    bi = _bi_file(tmp_path / "bi.duckdb", NPS_MONTHLY, "delete from marts.mart_nps_monthly")

    report = write_report(bi)

    nps = next(section for section in report.sections if section.key == "nps-monthly")
    assert nps.no_data == "No rows in this publication: mart_nps_monthly."
    assert nps.charts == ()


def test_a_month_grid_without_a_response_is_no_data(tmp_path):
    bi = _bi_file(
        tmp_path / "bi.duckdb",
        NPS_MONTHLY,
        "update marts.mart_nps_monthly set responses = 0, promoters = 0, passives = 0,"
        " detractors = 0, nps = null, nps_ci_low = null, nps_ci_high = null",
    )

    nps = write_report(bi).sections[0]

    assert nps.no_data == "No valid NPS response in the published months."


def test_nps_panel_draws_segment_all_with_intervals_and_marks_small_samples(tmp_path):
    bi = _bi_file(tmp_path / "bi.duckdb", NPS_MONTHLY)

    nps = write_report(bi).sections[0]

    assert nps.key == "nps-monthly" and nps.no_data is None
    assert nps.n == "44 valid NPS responses"  # 40 + 4, segment `all` only
    assert nps.period == "2025-09 to 2025-10 (UTC months); partial: 2025-10"
    (chart,) = nps.charts
    assert chart.small_samples == 1  # October, 4 responses
    drawn = chart.spec["data"]["values"]
    assert [
        (row["month"], row["nps"], row["nps_ci_low"], row["small_sample"]) for row in drawn
    ] == [
        ("2025-09", 0.0, -23.5, "no"),
        ("2025-10", -50.0, -98.0, "yes"),
    ]


def test_nothing_not_a_number_reaches_the_page(tmp_path):
    bi = _bi_file(
        tmp_path / "bi.duckdb",
        NPS_MONTHLY,
        "update marts.mart_nps_monthly set nps_ci_high = 'nan'::double where month = '2025-09-01'",
    )
    with PublishedMarts(bi) as marts:
        rows = marts.rows("select nps_ci_high from marts.mart_nps_monthly order by month")
    assert rows[0]["nps_ci_high"] is None  # JSON has no NaN: a null, never a guess
    assert write_report(bi).path.exists()


def test_histogram_bins_count_every_value_once(tmp_path):
    # Values 0.5, 10, 49.99, 50, 50.01, 99 over DuckDB's round bins of width 10 or 50;
    # whatever the width, the counts add up to the 6 values, and one value alone is a
    # single bin starting at that value.
    bi = _bi_file(
        tmp_path / "bi.duckdb",
        "create table marts.fct_customer_value as select * from (values"
        " (0.5), (10.0), (49.99), (50.0), (50.01), (99.0)) as t(p_alive)",
        "create table marts.one_value as select 7.0 as p_alive",
    )
    with PublishedMarts(bi) as marts:
        bins = marts.histogram("fct_customer_value", "p_alive")
        single = marts.histogram("one_value", "p_alive")
    assert sum(row["customers"] for row in bins) == 6
    assert bins[0]["bin_start"] <= 0.5 and bins[-1]["bin_end"] >= 99.0
    widths = {round(row["bin_end"] - row["bin_start"], 9) for row in bins}
    assert len(widths) == 1  # equal widths, the first bin included
    assert single == [{"bin_start": 7.0, "bin_end": 7.0, "customers": 1}]


def test_chromium_draws_the_chart_of_a_tiny_publication(tmp_path):
    bi = _bi_file(tmp_path / "bi.duckdb", NPS_MONTHLY)
    report = write_report(bi)

    page = open_page(report.path, tmp_path, screenshot=tmp_path / "tiny.png")

    assert page.console == [] and page.errors == []
    assert [(chart.id, chart.rendered) for chart in page.charts] == [
        ("nps-monthly-chart-1", "true")
    ]
    # Band, line and points of 2 months: Vega drew marks for the data.
    assert page.charts[0].marks >= 2
    assert len(page.no_data_sections) == len(SECTIONS) - 1
    assert (tmp_path / "tiny.png").read_bytes().startswith(PNG)


def test_chromium_sees_a_page_whose_charting_script_is_missing(tmp_path):
    bi = _bi_file(tmp_path / "bi.duckdb", NPS_MONTHLY)
    report = write_report(bi)
    html = report.path.read_text(encoding="utf-8")
    start = html.index("window.vegaEmbed=")
    report.path.write_text(html[:start] + html[start:].replace("window.vegaEmbed=", "window.x=", 1))

    page = open_page(report.path, tmp_path)

    assert page.charts[0].rendered is None and page.charts[0].marks == 0
    assert any("vegaEmbed is not defined" in error for error in page.errors)
    assert page.console  # the error is logged too


def test_chromium_sees_a_chart_whose_data_is_broken(tmp_path):
    bi = _bi_file(tmp_path / "bi.duckdb", NPS_MONTHLY)
    report = write_report(bi)
    html = report.path.read_text(encoding="utf-8")
    # The chart's specification cut short: not JSON any more.
    report.path.write_text(html.replace('"values":[', '"values":[{', 1), encoding="utf-8")

    page = open_page(report.path, tmp_path)

    assert page.charts[0].rendered == "error" and page.charts[0].marks == 0
    assert page.errors and page.errors[0].startswith("nps-monthly-chart-1: SyntaxError")


@pytest.fixture(scope="module")
def tiny_report(tiny_build: Build, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The tiny build published into a folder of its own, with its report."""
    folder = tmp_path_factory.mktemp("report")
    build = copy_build(tiny_build, folder / "build" / "build.duckdb")
    bi = folder / "bi" / "bi.duckdb"
    publish(build, bi, bi.parent / "bi_parquet")
    write_report(bi)
    return bi, folder


def test_every_chart_of_the_tiny_build_renders_in_chromium(tiny_report):
    bi, folder = tiny_report
    screenshot = folder / "report.png"

    page = open_page(report_path(bi), folder, screenshot=screenshot)

    assert page.console == [], page.console
    assert page.errors == []
    with PublishedMarts(bi) as marts:
        sections = [build(marts) for build in SECTIONS]
    expected = [
        f"{section.key}-chart-{index}"
        for section in sections
        for index in range(1, len(section.charts) + 1)
    ]
    assert len(expected) >= 10  # the tiny extracts feed most charts
    assert [chart.id for chart in page.charts] == expected
    for chart in page.charts:
        assert chart.rendered == "true" and chart.marks > 0, chart
    assert sorted(page.no_data_sections) == sorted(
        section.key for section in sections if section.no_data
    )
    assert screenshot.read_bytes().startswith(PNG) and screenshot.stat().st_size > 20_000


def test_the_report_is_self_contained_and_states_n_period_and_definition(tiny_report):
    bi, folder = tiny_report
    html = report_path(bi).read_text(encoding="utf-8")
    # Nothing fetched: no script, stylesheet, font or image from elsewhere (the page
    # outside its inline scripts, which hold the charting bundle and the charts' data).
    page = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.DOTALL)
    assert html.count("<script") == page.count("<script") + html.count("</script>")
    for fetch in ("<script src", "<link", "<img", "<iframe", "@import", "url("):
        assert fetch not in page, fetch
    with PublishedMarts(bi) as marts:
        for build in SECTIONS:
            section = build(marts)
            assert section.definition, section.key
            if not section.no_data:
                assert section.n and section.period, section.key
    assert html.count("<b>n:</b>") == len(SECTIONS)
    assert html.count("<b>Definition:</b>") == len(SECTIONS)
    # Customers appear by id only in the at-risk table. Their emails are read from the
    # build database: the BI file leaves them out by default (personal data).
    with duckdb.connect(str(folder / "build" / "build.duckdb"), read_only=True) as con:
        listed = con.sql("select email from marts.dim_customers where email is not null")
        emails = [row[0] for row in listed.fetchall()]
    assert emails and not any(email in html for email in emails)


def test_the_report_shows_the_published_figures(tiny_report):
    bi, _ = tiny_report
    with PublishedMarts(bi) as marts:
        value = next(build(marts) for build in SECTIONS if build.__name__ == "customer_value")
        customers = marts.marts["fct_customer_value"]
        with_p_alive = marts.value("select count(p_alive) from marts.fct_customer_value")
        bins = marts.histogram("fct_customer_value", "p_alive")
    assert value.n == f"{customers:,} customers with an order"
    assert sum(row["customers"] for row in bins) == with_p_alive
    # Every p_alive is a probability: the bins stay inside [0, 1] up to their rounding.
    assert all(row["bin_start"] >= -1e-9 and row["bin_end"] <= 1 + 1e-9 for row in bins)
    assert not any(isinstance(v, float) and math.isnan(v) for row in bins for v in row.values())


@pytest.mark.build
def test_cx_publish_writes_the_report_beside_the_bi_file(tiny_build: Build, tmp_path):
    build = copy_build(tiny_build, tmp_path / "build" / "build.duckdb")
    bi = tmp_path / "published" / "bi.duckdb"
    env = build_env(tmp_path, None, CX_BUILD_DB=str(build), CX_BI_DB=str(bi))

    proc = subprocess.run(
        [str(CX), "publish", "--skip-gate"], cwd=REPO, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip

    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = tmp_path / "published" / "report" / "index.html"
    assert f"CX report: {report} (" in proc.stdout
    html = report.read_text(encoding="utf-8")
    with duckdb.connect(str(bi), read_only=True) as con:
        stamp = con.sql("select published_at from meta.publication").fetchall()[0][0]
    assert f"Published marts of {stamp:%Y-%m-%d %H:%M} UTC" in html
    assert not list(report.parent.glob(".*.tmp"))  # written whole, then renamed


def test_the_exposure_names_every_mart_the_report_reads(tmp_path):
    """dbt's lineage reaches the report through the exposure `cx_report`: it must list
    the marts the report's SQL reads and the marts its panels name, no more, no less."""
    source = (REPO / "python" / "cx" / "html_report" / "sections.py").read_text(encoding="utf-8")
    read = set(re.findall(r"\bmarts\.((?:dim|fct|mart)_\w+)", source))
    named = {mart for section in write_report(_bi_file(tmp_path / "bi.duckdb")).sections
             for mart in section.marts}  # fmt: skip
    exposures = yaml.safe_load((REPO / "models" / "marts" / "_marts__exposures.yml").read_text())
    report = next(item for item in exposures["exposures"] if item["name"] == "cx_report")
    listed = {re.fullmatch(r"ref\('(\w+)'\)", ref).group(1) for ref in report["depends_on"]}
    assert listed == read | named


def test_support_times_are_medians_and_quartiles_in_hours_per_channel(tmp_path):
    # email: first replies of 60, 120, 180 and 240 minutes = 1, 2, 3, 4 hours.
    # Interpolated quantiles at position (4 - 1) x q: 25th 1 + 0.75 x (2 - 1) = 1.75,
    # median 2 + 0.5 x (3 - 2) = 2.5, 75th 3 + 0.25 x (4 - 3) = 3.25; n = 4.
    # chat: one ticket of 30 minutes = 0.5 hours, every quantile 0.5, n = 1; a ticket
    # without a reply counts in neither.
    bi = _bi_file(
        tmp_path / "bi.duckdb",
        "create table marts.fct_support_tickets as select * from (values"
        " ('email', 60, 600, timestamp '2025-01-01'),"
        " ('email', 120, null, timestamp '2025-01-02'),"
        " ('email', 180, null, timestamp '2025-01-03'),"
        " ('email', 240, null, timestamp '2025-01-04'),"
        " ('chat', 30, null, timestamp '2025-02-01'),"
        " ('chat', null, null, timestamp '2025-02-02')"
        ") as t(channel, first_reply_minutes, full_resolution_minutes, created_at)",
    )

    section = next(s for s in write_report(bi).sections if s.key == "support-times")

    first_reply, resolution = section.charts
    drawn = {row["channel_n"]: (row["p25"], row["median"], row["p75"])
             for row in first_reply.spec["data"]["values"]}  # fmt: skip
    assert drawn.keys() == {"email (n=4)", "chat (n=1)"}
    assert drawn["email (n=4)"] == pytest.approx((1.75, 2.5, 3.25), abs=1e-12)
    assert drawn["chat (n=1)"] == pytest.approx((0.5, 0.5, 0.5), abs=1e-12)
    (only,) = resolution.spec["data"]["values"]
    assert only["channel_n"] == "email (n=1)" and only["median"] == pytest.approx(10.0)
    assert (
        section.n == "6 tickets"
        and section.period == "tickets created from 2025-01-01 to 2025-02-02"
    )


def test_transitions_are_drawn_when_no_customer_was_observed_90_days(tmp_path):
    # Extracts shorter than the channel mix's 90-day window: its mart is empty, the
    # transitions are not. 3 customers left `web`, 2 of them next to `email` (2 / 3).
    bi = _bi_file(
        tmp_path / "bi.duckdb",
        "create table marts.mart_channel_mix (channel_groups_used integer, customers bigint)",
        "create table marts.mart_channel_transitions as select 'web' as from_channel_group,"
        " 'email' as to_channel_group, 2 as customers, 2 as transitions,"
        " 2 / 3 as customer_share, 3 as customer_share_n, 0.21 as customer_share_ci_low,"
        " 0.94 as customer_share_ci_high, true as customer_share_is_small_sample",
    )

    sections = {section.key: section for section in write_report(bi).sections}

    assert sections["channel-mix"].no_data == "No rows in this publication: mart_channel_mix."
    transitions = sections["channel-transitions"]
    assert transitions.no_data is None
    assert transitions.n == "customers who left a group: 3 to 3 per group (1 group)"
    (chart,) = transitions.charts
    (row,) = chart.spec["data"]["values"]
    assert row["customer_share"] == pytest.approx(2 / 3) and chart.small_samples == 1
