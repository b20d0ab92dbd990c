"""The run report of `cx build` shows only what this run measured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, TINY, build_env, copy_extracts
from cx.cli import audit_built_since

CX = Path(sys.executable).with_name("cx")


def _run_results(target: Path, statuses: dict[str, str]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    results = [{"unique_id": node, "status": status} for node, status in statuses.items()]
    (target / "run_results.json").write_text(json.dumps({"results": results}), encoding="utf-8")


def test_audit_counts_as_this_runs_only_when_this_run_built_it(tmp_path):
    before = time.time() - 1
    both = {"model.cx.extract_row_counts": "success", "model.cx.quarantined_rows": "success"}
    _run_results(tmp_path, {**both, "test.cx.some_test": "fail"})
    assert audit_built_since(before, tmp_path)
    # Results of an earlier run: the file is older than this run.
    assert not audit_built_since(time.time() + 5, tmp_path)
    # This run, but one of the two models the report reads was skipped.
    _run_results(tmp_path, {**both, "model.cx.quarantined_rows": "skipped"})
    assert not audit_built_since(before, tmp_path)
    # No results at all: dbt stopped before writing them.
    assert not audit_built_since(before, tmp_path / "nothing")


@pytest.mark.build
def test_a_failed_build_does_not_report_the_previous_builds_figures(tmp_path):
    env = build_env(tmp_path, copy_extracts(TINY, tmp_path / "extracts"))
    # The build database as an earlier build left it, with figures no tiny extract has.
    with duckdb.connect(env["CX_BUILD_DB"]) as con:
        con.sql("create schema audit")
        con.sql(
            "create table audit.extract_row_counts as select 'crm/contacts' as extract_name,"
            " 987654 as rows_read, 987000 as rows_staged, 654 as rows_with_defects,"
            " 0 as rows_superseded"
        )
        con.sql(
            "create table audit.quarantined_rows as select 'crm/contacts' as extract_name,"
            " 'segment' as column_name, 'unknown_value' as reason"
        )
    (tmp_path / "extracts" / "crm" / "orders.csv").write_bytes(b"")  # stops this run at once
    env["CX_BI_DB"] = str(tmp_path / "bi" / "bi.duckdb")

    proc = subprocess.run(
        [str(CX), "build"], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )

    output = proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert "No extract figures for this run" in output
    assert "987,654" not in output and "987654" not in output
    assert "Build failed" in output
    assert not os.path.exists(env["CX_BI_DB"])


def test_a_build_leaves_dbt_unit_tests_to_make_test(tmp_path, monkeypatch):
    import cx.cli

    ran: list[list[str]] = []
    monkeypatch.setattr(cx.cli, "_dbt_build", lambda arguments: ran.append(arguments) or False)
    monkeypatch.setenv("CX_BUILD_DB", str(tmp_path / "build.duckdb"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))

    assert cx.cli.main(["build"]) == 1  # the stubbed dbt fails: nothing after it runs
    assert cx.cli.main(["build", "--unit-tests", "--full-refresh"]) == 1
    assert ran == [["--exclude-resource-type", "unit_test"], ["--full-refresh"]]
    # `make test` (CI) builds the sample with them: every dbt unit test runs on every change.
    dry_run = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", "dbt-test"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "cx build --unit-tests" in dry_run.stdout
