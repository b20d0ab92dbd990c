"""`cx build`'s dbt process (cx.dbt_build): one parse, the build on it, then freshness on
it only when the build passed; the exit status says whether the build passed."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from cx import dbt_build

PARSE = "parse --log-level warn"  # warnings and errors only: the build prints the banner


@dataclass
class _Result:
    success: bool
    result: object = None


@pytest.fixture
def runner(monkeypatch):
    """dbtRunner replaced by one that records each invocation, the manifest it was given
    and DBT_LOG_LEVEL_FILE when it ran; ``failing`` names the commands that fail."""
    calls: list[tuple[str, object]] = []
    file_log_levels: list[str | None] = []
    failing: set[str] = set()

    class Runner:
        def __init__(self, manifest=None):
            self.manifest = manifest

        def invoke(self, arguments):
            command = " ".join(arguments[:2] if arguments[0] == "source" else arguments[:1])
            calls.append((" ".join(arguments), self.manifest))
            file_log_levels.append(os.environ.get("DBT_LOG_LEVEL_FILE"))
            return _Result(command not in failing, "the parsed manifest")

    import dbt.cli.main

    monkeypatch.setattr(dbt.cli.main, "dbtRunner", Runner)
    # Recorded, so that the value main() sets is undone after the test.
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "")
    monkeypatch.delenv("DBT_LOG_LEVEL_FILE")
    return calls, failing, file_log_levels


def test_the_build_and_freshness_run_on_one_parse(runner):
    calls, _, _ = runner

    assert dbt_build.main(["--exclude-resource-type", "unit_test", "--full-refresh"]) == 0

    assert calls == [
        (PARSE, None),
        ("build --exclude-resource-type unit_test --full-refresh", "the parsed manifest"),
        ("source freshness --quiet", "the parsed manifest"),
    ]


def test_a_stale_extract_is_left_to_cx_build_to_judge(runner):
    """`dbt source freshness` fails on a stale extract; `cx build` reads sources.json."""
    calls, failing, _ = runner
    failing.add("source freshness")

    assert dbt_build.main([]) == 0
    assert [call for call, _ in calls] == [PARSE, "build", "source freshness --quiet"]


@pytest.mark.parametrize("failed", ["parse", "build"])
def test_a_failed_parse_or_build_measures_no_freshness(runner, failed):
    calls, failing, _ = runner
    failing.add(failed)

    assert dbt_build.main([]) == 1
    assert [call for call, _ in calls] == [PARSE, "build"][: 1 + (failed == "build")]


def test_dbts_file_log_keeps_what_ran_not_each_statement(runner):
    _, _, file_log_levels = runner

    assert dbt_build.main([]) == 0
    assert file_log_levels == ["info", "info", "info"]


def test_a_file_log_level_the_user_set_is_kept(runner, monkeypatch):
    _, _, file_log_levels = runner
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")

    assert dbt_build.main([]) == 0
    assert file_log_levels == ["debug", "debug", "debug"]


def test_cx_build_and_the_benchmark_start_this_module_with_their_arguments():
    """-P keeps the working directory (the repository root) off the module path."""
    command = dbt_build.command(["--full-refresh"])
    assert command[1:] == ["-P", "-m", "cx.dbt_build", "--full-refresh"]
