"""`cx bench`: the report's ratios, and the pure-DuckDB reference it compares against."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from conftest import TINY
from cx.bench_pipeline import (
    FULL,
    INCREMENTAL,
    READ_ONLY,
    REFERENCE,
    SETUP,
    Step,
    format_table,
    run_reference,
)


def _steps(**failed: bool) -> list[Step]:
    seconds = {
        REFERENCE: 10.0,
        READ_ONLY: 2.0,
        FULL[0]: 40.0,
        FULL[1]: 20.0,
        FULL[2]: 5.0,
        SETUP: 38.0,
        INCREMENTAL[0]: 30.0,
        INCREMENTAL[1]: 18.0,
        INCREMENTAL[2]: 5.0,
    }
    peaks = {FULL[0]: 3000.0, INCREMENTAL[1]: 2500.0}
    return [
        Step(name, s, peaks.get(name, 1000.0), not failed.get(name.split(" ")[0], False))
        for name, s in seconds.items()
    ]


def test_report_ratios_are_to_the_reference_and_to_the_full_build() -> None:
    table = format_table(1000, _steps())
    # full: 40 + 20 + 5 = 65 s = 6.5x the reference's 10 s, peak the build's 3,000 MB
    assert "| **full pipeline (build + gate + publish)** | **65.0** | **6.5** | 3,000 |" in table
    # one more day: 30 + 18 + 5 = 53 s = 5.3x, peak the gate's 2,500 MB
    assert "| **53.0** | **5.3** | 2,500 |" in table
    assert "`make build` took 0.82x the full pipeline" in table  # 53 / 65
    assert "the incremental `dbt build` alone took 0.75x the full one" in table  # 30 / 40
    assert "reading the whole extracts alone took 0.05x the full `dbt build`" in table  # 2 / 40
    assert f"| {FULL[1]} | 20.0 | 2.0 | 1,000 |" in table
    assert f"| {SETUP} | 38.0 |  | 1,000 |" in table  # set-up: no ratio


def test_report_of_a_failed_step_gives_no_figures() -> None:
    steps = _steps(quality=True)
    assert format_table(1000, steps) == "quality gate failed: no figures (see the error above)"


def _lines(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def test_reference_loads_every_extract_and_computes_the_core_tables(tmp_path: Path) -> None:
    database = tmp_path / "reference.duckdb"
    run_reference(TINY, database)
    with duckdb.connect(str(database), read_only=True) as con:
        tables = {row[0] for row in con.sql("select table_name from duckdb_tables()").fetchall()}
        assert {"touchpoints", "nps_monthly", "support_times", "historical_value"} <= tables
        loaded = con.sql("select count(*) from activities_raw").fetchall()[0][0]
    assert loaded == _lines(TINY / "crm" / "activities.csv")


def test_reference_load_only_reads_the_extracts_and_keeps_nothing(tmp_path: Path) -> None:
    database = tmp_path / "read-only.duckdb"
    run_reference(TINY, database, load_only=True)
    assert not database.exists()


def test_a_report_replaces_its_own_section_in_place(tmp_path: Path) -> None:
    from cx.bench_clv import replace_section

    report = tmp_path / "benchmarks.md"
    report.write_text(
        "# Benchmarks\n\n## Pipeline at 10 customers\n\nold\n\n## Reading\n\nby hand\n"
    )
    replace_section(report, "Pipeline at 10 customers", "## Pipeline at 10 customers\n\nnew\n")
    replace_section(report, "Pipeline at 20 customers", "## Pipeline at 20 customers\n\nmore\n")
    assert report.read_text() == (
        "# Benchmarks\n\n## Pipeline at 10 customers\n\nnew\n\n## Reading\n\nby hand\n"
        "\n## Pipeline at 20 customers\n\nmore\n"
    )


@pytest.mark.build
def test_bench_runs_every_step_at_a_small_size_and_reports_them(tmp_path: Path) -> None:
    """`make bench` end to end: generate, reference, full and incremental pipeline."""
    from cx.bench_pipeline import run, write_report

    steps = run(400, tmp_path / "bench")
    assert [step.name for step in steps] == [
        "generate extracts",
        REFERENCE,
        READ_ONLY,
        *FULL,
        SETUP,
        *INCREMENTAL,
    ]
    assert all(step.ok for step in steps)
    assert all(step.seconds > 0 and step.peak_rss_mb > 0 for step in steps)
    report = tmp_path / "benchmarks.md"
    write_report(400, steps, report)
    text = report.read_text()
    assert text.startswith("# Benchmarks\n\n## Pipeline at 400 customers\n")
    assert "| **full pipeline (build + gate + publish)** |" in text
    assert "reading the whole extracts alone took" in text
    # The day before holds fewer delta files than the extracts: the incremental run had a
    # day's files to add, and the delta files hold every line of the single files.
    bench = tmp_path / "bench"
    day_before = sorted((bench / "extracts-day-before" / "crm" / "activities").iterdir())
    delta = sorted((bench / "extracts-delta" / "crm" / "activities").iterdir())
    assert [f.name for f in day_before] == [f.name for f in delta[:-1]]
    assert sum(_lines(f) for f in delta) == _lines(bench / "extracts" / "crm" / "activities.csv")
