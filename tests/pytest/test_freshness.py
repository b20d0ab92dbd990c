"""Freshness: each extract's latest record and age as dbt measured it, and what `cx build`
does with a stale extract, a warning and an extract without records."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from cx import cli
from cx.freshness import (
    ERROR,
    NO_RECORDS,
    NOT_MEASURED,
    PASS,
    WARN,
    as_of,
    format_freshness,
    read_freshness,
    stale,
)

CLOCK = "2025-02-07T00:00:00+00:00"


def _result(table: str, latest: str | None, status: str, warn: int = 2, error: int = 7) -> dict:
    if status == "runtime error":
        return {"unique_id": f"source.cx.{table}", "status": status, "error": "it failed"}
    return {
        "unique_id": f"source.cx.{table}",
        "max_loaded_at": latest,
        "snapshotted_at": CLOCK,
        "status": status,
        "criteria": {
            "warn_after": {"count": warn, "period": "day"},
            "error_after": {"count": error, "period": "day"},
            "filter": None,
        },
    }


def _sources_json(folder, *results: dict):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sources.json"
    path.write_text(json.dumps({"metadata": {}, "results": list(results)}), encoding="utf-8")
    return path


def test_each_extracts_latest_record_age_and_verdict_are_read(tmp_path):
    path = _sources_json(
        tmp_path,
        _result("crm.activities", "2025-01-15T09:00:00+00:00", "error"),
        _result("crm.contacts", "2025-02-01T12:00:00+00:00", "warn", 3, 14),
        _result("crm.orders", "2025-02-06T10:00:00+00:00", "pass"),
        # dbt reads an extract without a usable line as the year 1.
        _result("survey.responses", "0001-01-01T00:00:00+00:00", "error", 3, 14),
        _result("support.users", None, "runtime error"),
    )

    extracts = {e.extract_name: e for e in read_freshness(path)}

    assert [extracts[n].status for n in sorted(extracts)] == [
        ERROR, WARN, PASS, NOT_MEASURED, NO_RECORDS,
    ]  # fmt: skip
    activities = extracts["crm/activities"]
    assert activities.latest == dt.datetime(2025, 1, 15, 9)
    assert activities.measured_at == dt.datetime(2025, 2, 7)
    # 22 days and 15 hours: 22 * 86400 + 15 * 3600 = 1,954,800 s.
    assert activities.age_seconds == pytest.approx(1_954_800)
    assert (activities.warn_after_seconds, activities.error_after_seconds) == (172_800, 604_800)
    responses = extracts["survey/responses"]
    assert responses.latest is None and responses.age_seconds is None
    # Only an extract past its error age is stale: not one without records, nor a warning.
    assert stale(list(extracts.values())) == ["crm/activities"]

    text = format_freshness(read_freshness(path))
    assert "as of 2025-02-07 00:00:00 UTC" in text
    # 1,954,800 s / 86,400 = 22.625 days, shown to two places.
    [activities_line] = [line for line in text.splitlines() if "crm/activities" in line]
    assert activities_line.split() == [
        "crm/activities", "2025-01-15", "09:00:00", "22.62", "d", "2.00", "d", "7.00", "d", "STALE",
    ]  # fmt: skip
    assert "warning: past its warn age" in text
    assert "no records" in text and "not measured" in text


def test_the_run_clock_needs_a_utc_offset(monkeypatch):
    monkeypatch.delenv("CX_AS_OF", raising=False)
    assert as_of() is None
    monkeypatch.setenv("CX_AS_OF", "2025-11-01T02:00:00+02:00")
    assert as_of() == dt.datetime(2025, 11, 1, 0, 0)
    monkeypatch.setenv("CX_AS_OF", "2025-11-01T00:00:00")
    with pytest.raises(ValueError, match="CX_AS_OF must be an ISO-8601 moment with a UTC offset"):
        as_of()


@pytest.fixture
def measured(tmp_path, monkeypatch):
    """What `cx build` makes of the sources.json that `dbt source freshness` wrote after its
    build: ``measured(*results, allow_stale=...)`` writes them and returns the verdict."""
    target = tmp_path / "target"
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))

    def verdict(*results: dict, allow_stale: bool = False) -> cli.FreshnessVerdict:
        started = time.time() - 1  # the build began before dbt measured freshness
        _sources_json(target, *results)
        return cli._freshness(allow_stale, started)

    return verdict


def test_a_stale_extract_stops_the_publish_and_is_named(measured, capsys):
    results = (
        _result("crm.activities", "2025-01-15T09:00:00+00:00", "error"),
        _result("crm.orders", "2025-02-06T10:00:00+00:00", "pass"),
    )
    verdict = measured(*results)
    assert not verdict.may_publish
    assert "Stale extract(s), past their error age: crm/activities." in capsys.readouterr().err

    allowed = measured(*results, allow_stale=True)
    assert allowed.may_publish and allowed.stale_extracts == ("crm/activities",)
    assert "Publishing stale extract(s) as told (--allow-stale): crm/activities" in (
        capsys.readouterr().out
    )


def test_a_warning_or_an_extract_without_records_publishes(measured, capsys):
    verdict = measured(
        _result("crm.contacts", "2025-02-01T12:00:00+00:00", "warn", 3, 14),
        _result("survey.responses", "0001-01-01T00:00:00+00:00", "error", 3, 14),
    )
    output = capsys.readouterr()
    assert verdict.may_publish and verdict.stale_extracts == ()
    assert "warning: past its warn age" in output.out
    assert output.err == ""


def test_an_extract_whose_age_cannot_be_measured_stops_the_publish(measured, capsys):
    verdict = measured(_result("support.users", None, "runtime error"), allow_stale=True)
    assert not verdict.may_publish
    assert "Freshness could not be measured for support/users" in capsys.readouterr().err


def test_an_earlier_runs_sources_json_is_never_read_as_this_runs(tmp_path, monkeypatch, capsys):
    """dbt wrote no sources.json after this build: the one left by an earlier run (here
    all fresh) must not let it publish."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    _sources_json(tmp_path / "target", _result("crm.orders", "2025-02-06T10:00:00+00:00", "pass"))

    verdict = cli._freshness(allow_stale=True, started=time.time() + 60)

    assert not verdict.may_publish
    assert "dbt wrote no sources.json; nothing was published" in capsys.readouterr().err


def test_the_samples_clock_is_the_moment_the_generator_takes_its_extracts():
    """dbt_project.yml measures the committed sample as of the generator's EXTRACT_AT."""
    from conftest import REPO
    from cx.generator import EXTRACT_AT

    project = (REPO / "dbt_project.yml").read_text(encoding="utf-8")
    [line] = [line for line in project.splitlines() if line.startswith("  freshness_as_of:")]
    assert f"'{EXTRACT_AT:%Y-%m-%dT%H:%M:%SZ}' if env_var('CX_EXTRACTS_DIR', '') == ''" in line
