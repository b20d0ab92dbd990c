"""`cx build`'s dbt process (cx.dbt_build): one parse, the build on it, then freshness on
it only when the build passed; the exit status says whether the build passed."""

from __future__ import annotations

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
    """dbtRunner replaced by one that records each invocation and the manifest it was
    given; ``failing`` names the commands that fail."""
    calls: list[tuple[str, object]] = []
    failing: set[str] = set()

    class Runner:
        def __init__(self, manifest=None):
            self.manifest = manifest

        def invoke(self, arguments):
            command = " ".join(arguments[:2] if arguments[0] == "source" else arguments[:1])
            calls.append((" ".join(arguments), self.manifest))
            return _Result(command not in failing, "the parsed manifest")

    import dbt.cli.main

    monkeypatch.setattr(dbt.cli.main, "dbtRunner", Runner)
    return calls, failing


def test_the_build_and_freshness_run_on_one_parse(runner):
    calls, _ = runner

    assert dbt_build.main(["--exclude-resource-type", "unit_test", "--full-refresh"]) == 0

    assert calls == [
        (PARSE, None),
        ("build --exclude-resource-type unit_test --full-refresh", "the parsed manifest"),
        ("source freshness --quiet", "the parsed manifest"),
    ]


def test_a_stale_extract_is_left_to_cx_build_to_judge(runner):
    """`dbt source freshness` fails on a stale extract; `cx build` reads sources.json."""
    calls, failing = runner
    failing.add("source freshness")

    assert dbt_build.main([]) == 0
    assert [call for call, _ in calls] == [PARSE, "build", "source freshness --quiet"]


@pytest.mark.parametrize("failed", ["parse", "build"])
def test_a_failed_parse_or_build_measures_no_freshness(runner, failed):
    calls, failing = runner
    failing.add(failed)

    assert dbt_build.main([]) == 1
    assert [call for call, _ in calls] == [PARSE, "build"][: 1 + (failed == "build")]
