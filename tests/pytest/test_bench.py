"""`cx-bench pipeline`: the report's ratios, and the pure-DuckDB reference it compares against."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from conftest import TINY
from cx_bench.pipeline import (
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
    assert "reading them alone took 0.05x the full `dbt build`" in table  # 2 / 40
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
    from cx_bench.clv import replace_section

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


def test_benchmarks_are_a_tool_apart_from_the_product_package() -> None:
    """`cx` has no bench commands and the product package holds no benchmark code or
    reference SQL; `cx-bench` has the four benchmarks."""
    import cx
    import cx_bench
    from cx.cli import main as cx_main
    from cx_bench.cli import main as bench_main

    product = Path(cx.__file__).parent
    assert not list(product.glob("bench*.py"))
    assert not list(product.glob("sql/reference_*.sql"))
    assert (Path(cx_bench.__file__).parent / "sql" / "reference_pipeline.sql").exists()
    for command in ("bench", "bench-clv", "bench-gate", "bench-identity"):
        with pytest.raises(SystemExit) as stopped:
            cx_main([command])
        assert stopped.value.code == 2  # argparse: no such command
    for command in ("pipeline", "clv", "gate", "identity"):
        with pytest.raises(SystemExit) as shown:
            bench_main([command, "--help"])
        assert shown.value.code == 0


@pytest.mark.build
def test_bench_runs_every_step_at_a_small_size_and_reports_them(tmp_path: Path) -> None:
    """`make bench` end to end: generate, reference, full and incremental pipeline."""
    from cx_bench.pipeline import run, write_report

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
    assert "reading them alone took" in text
    # The day before holds fewer lines than the extracts: the incremental run had a day to add.
    day_before = _lines(tmp_path / "bench" / "extracts-day-before" / "crm" / "activities.csv")
    assert day_before < _lines(tmp_path / "bench" / "extracts" / "crm" / "activities.csv")
