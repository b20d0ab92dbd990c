"""How old each extract is: dbt's source freshness, read for the run report and the publish.

``cx build`` runs ``dbt source freshness`` after the build. dbt measures each contract
extract's latest usable line (its ``loaded_at_field``) against the run's clock
(``macros/loading/freshness.sql``) and writes ``sources.json`` in its target folder;
this module reads it. An extract past its error age stops the publish, unless the run
is told to accept stale data (``--allow-stale``); one past its warn age is shown as a
warning only. An extract without a usable line has no latest record and so no age: it
is shown as such and stops nothing (a header-only extract is a valid delivery).

The clock is ``CX_AS_OF`` (ISO-8601 with a UTC offset) when set, for the freshness and
the quality gate alike; else the committed sample is measured as of the moment its
extracts were taken and other extracts as of now (dbt var ``freshness_as_of``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

AS_OF_VARIABLE = "CX_AS_OF"
PASS, WARN, ERROR, NO_RECORDS, NOT_MEASURED = "pass", "warn", "error", "no records", "not measured"
_SECONDS_PER = {"minute": 60, "hour": 3600, "day": 86400}


def as_of() -> dt.datetime | None:
    """The run's clock from ``CX_AS_OF`` as naive UTC, or None when it is not set."""
    text = os.environ.get(AS_OF_VARIABLE, "").strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError(
            f"{AS_OF_VARIABLE} must be an ISO-8601 moment with a UTC offset, for example"
            " 2025-11-01T00:00:00Z"
        )
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class ExtractFreshness:
    extract_name: str  # <system>/<table>
    status: str  # PASS, WARN, ERROR, NO_RECORDS or NOT_MEASURED
    latest: dt.datetime | None = None  # the latest usable line's moment (UTC)
    measured_at: dt.datetime | None = None  # the clock it was measured at (UTC)
    warn_after_seconds: float | None = None
    error_after_seconds: float | None = None

    @property
    def age_seconds(self) -> float | None:
        if self.latest is None or self.measured_at is None:
            return None
        return (self.measured_at - self.latest).total_seconds()


def _moment(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _seconds(limit: dict | None) -> float | None:
    if not limit or limit.get("count") is None or limit.get("period") is None:
        return None
    return float(limit["count"]) * _SECONDS_PER[limit["period"]]


def read_freshness(sources_json: Path) -> list[ExtractFreshness]:
    """Every source dbt measured, by extract name, from dbt's ``sources.json``."""
    results = json.loads(sources_json.read_text(encoding="utf-8"))["results"]
    extracts = []
    for result in results:
        # source.<project>.<system>.<table>
        name = "/".join(result["unique_id"].split(".")[2:4])
        status = result.get("status")
        if status not in (PASS, WARN, ERROR):
            extracts.append(ExtractFreshness(name, NOT_MEASURED))
            continue
        latest = _moment(result.get("max_loaded_at"))
        criteria = result.get("criteria") or {}
        extracts.append(
            ExtractFreshness(
                name,
                # dbt reads "no line" as the year 1: no record, so no age.
                NO_RECORDS if latest is not None and latest.year == 1 else status,
                None if latest is not None and latest.year == 1 else latest,
                _moment(result.get("snapshotted_at")),
                _seconds(criteria.get("warn_after")),
                _seconds(criteria.get("error_after")),
            )
        )
    return sorted(extracts, key=lambda e: e.extract_name)


def stale(extracts: list[ExtractFreshness]) -> list[str]:
    """The extracts past their error age."""
    return [e.extract_name for e in extracts if e.status == ERROR]


def not_measured(extracts: list[ExtractFreshness]) -> list[str]:
    """The extracts whose freshness could not be measured (dbt's query failed)."""
    return [e.extract_name for e in extracts if e.status == NOT_MEASURED]


def _days(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 86400:,.2f} d"


def format_freshness(extracts: list[ExtractFreshness]) -> str:
    """The run report's freshness section: each extract's latest record, its age as of
    the clock, the warn and error ages, and the verdict."""
    clock = next((e.measured_at for e in extracts if e.measured_at is not None), None)
    width = max([len(e.extract_name) for e in extracts] + [7])
    lines = [
        "Freshness (the latest usable line of each extract"
        + (f", as of {clock:%Y-%m-%d %H:%M:%S} UTC)" if clock else ")"),
        f"  {'extract':<{width}} {'latest record (UTC)':<20} {'age':>10} {'warn after':>10}"
        f" {'error after':>11}  status",
    ]
    for e in extracts:
        latest = f"{e.latest:%Y-%m-%d %H:%M:%S}" if e.latest else "-"
        verdict = {ERROR: "STALE", WARN: "warning: past its warn age"}.get(e.status, e.status)
        lines.append(
            f"  {e.extract_name:<{width}} {latest:<20} {_days(e.age_seconds):>10}"
            f" {_days(e.warn_after_seconds):>10} {_days(e.error_after_seconds):>11}  {verdict}"
        )
    return "\n".join(lines)
