"""Extract sets where some systems export nothing: the contract allows header-only
files, so a company with only a CRM, or only a survey tool, builds, passes the
gate and publishes, with the marts of the silent systems empty."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, TINY, build_env
from cx.contract import EXTRACTS
from cx.datasets import write_cdnow_extracts
from cx.gate.suites import for_zero_rows, mart_suites

CX = Path(sys.executable).with_name("cx")
CDNOW = Path(__file__).parent / "fixtures" / "cdnow" / "CDNOW_sample.txt"


def _extracts_from(folder: Path, systems_with_rows: set[str]) -> Path:
    """The tiny extracts for ``systems_with_rows``; every other file header-only."""
    for extract in EXTRACTS:
        source = (TINY / extract.relpath).read_text(encoding="utf-8")
        path = folder / extract.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if extract.system in systems_with_rows:
            path.write_text(source, encoding="utf-8")
        else:
            path.write_text(source.splitlines()[0] + "\n", encoding="utf-8")
    return folder


def _build_gate_publish(tmp_path: Path, extracts: Path) -> tuple[subprocess.CompletedProcess, Path]:
    bi = tmp_path / "bi.duckdb"
    env = build_env(tmp_path, extracts, CX_BI_DB=str(bi))
    # The tiny and CDNOW extracts are dated years ago: published as they are.
    proc = subprocess.run(
        [str(CX), "build", "--allow-stale"], cwd=REPO, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    return proc, bi


def _published(bi: Path) -> dict[str, int]:
    with duckdb.connect(str(bi), read_only=True) as con:
        return dict(con.sql("select mart, row_count from meta.published_marts").fetchall())


@pytest.mark.parametrize(
    ("systems", "empty_marts"),
    [({"survey"}, {"fct_support_tickets", "fct_customer_value", "mart_cohort_retention"})],
    ids=["survey-only"],
)
@pytest.mark.build
def test_extract_sets_with_header_only_files_publish(tmp_path, systems, empty_marts):
    extracts = _extracts_from(tmp_path / "extracts", systems)

    proc, bi = _build_gate_publish(tmp_path, extracts)

    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Quality gate: passed" in output
    published = _published(bi)
    assert set(published) == set(mart_suites_names())
    assert all(published[mart] == 0 for mart in empty_marts), published
    # The system that exported rows shows up in its marts.
    assert published["fct_survey_responses"] > 0
    # The CX report says "no data" where the silent systems' marts are empty.
    assert _report_without_data(tmp_path) >= {"support-times", "customer-value", "cohort-retention"}
    assert "nps-monthly" not in _report_without_data(tmp_path)


@pytest.mark.build
def test_an_installation_without_reviews_builds_with_empty_review_marts(tmp_path):
    """reviews/reviews is optional: the tiny extracts without the file (every other
    extract present) build, pass the gate and publish, with no review; a missing
    required extract still stops the run (test_build_extracts.py)."""
    extracts = _extracts_from(tmp_path / "extracts", {"crm", "support", "survey"})
    (extracts / "reviews" / "reviews.csv").unlink()
    (extracts / "reviews").rmdir()

    proc, bi = _build_gate_publish(tmp_path, extracts)

    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert "Quality gate: passed" in output
    published = _published(bi)
    assert set(published) == set(mart_suites_names())
    assert published["fct_reviews"] == 0 and published["mart_reviews_monthly"] == 0
    assert published["fct_survey_responses"] > 0
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        assert con.sql(
            "select count(*) from marts.fct_touchpoints where source_system = 'reviews'"
        ).fetchall() == [(0,)]
        assert con.sql(
            "select count(*) from raw.extract_files where extract_name = 'reviews/reviews'"
        ).fetchall() == [(0,)]


@pytest.mark.build
def test_cdnow_written_as_crm_extracts_publishes(tmp_path):
    extracts = tmp_path / "extracts"
    write_cdnow_extracts(CDNOW, extracts)

    proc, bi = _build_gate_publish(tmp_path, extracts)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    published = _published(bi)
    assert published["fct_support_tickets"] == 0
    assert published["fct_survey_responses"] == 0
    # 2,357 CDNOW customers, every one with an order.
    assert published["fct_customer_value"] == 2357
    without_data = _report_without_data(tmp_path)
    assert {"nps-monthly", "nps-drivers", "support-times"} <= without_data
    assert {"customer-value", "cohort-retention"}.isdisjoint(without_data)


def _report_without_data(folder: Path) -> set[str]:
    """The sections of the CX report the publish wrote beside ``folder/bi.duckdb`` that
    show a "no data" panel."""
    html = (folder / "report" / "index.html").read_text(encoding="utf-8")
    return set(re.findall(r'<section class="panel" id="([\w-]+)" data-no-data="true"', html))


def mart_suites_names() -> list[str]:
    import datetime as dt

    return list(mart_suites(dt.datetime(2030, 1, 1)))


def test_zero_row_form_keeps_every_claim_and_drops_none():
    import datetime as dt

    now = dt.datetime(2030, 1, 1)
    for mart, suite in mart_suites(now).items():
        zero = for_zero_rows(suite)
        assert len(zero) == len(suite), mart
        for before, after in zip(suite, zero, strict=True):
            if before.expectation_type == "expect_column_max_to_be_between":
                # "the latest value is at most now" becomes "every value is at most now".
                assert after.expectation_type == "expect_column_values_to_be_between"
                assert after.configuration.kwargs["column"] == before.configuration.kwargs["column"]
                assert after.configuration.kwargs["max_value"] == now
            else:
                assert after is before
