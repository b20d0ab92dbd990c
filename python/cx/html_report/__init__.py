"""The CX report: a static HTML page beside the BI file, written at each publish.

``warehouse/report/index.html`` (beside whichever BI file was published) shows
the published marts as charts: NPS over time, its drivers, the journey, cohorts,
customer value, support, verbatim themes and the insight marts, each with its n,
period, definition and 95% intervals. It reads the BI file only, so it shows exactly
what passed the quality gate, and opens offline: every script is inside the page.

Not to be confused with ``cx.report``, the run report of a build (lines read,
staged, quarantined) printed in the terminal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cx.html_report.marts import PublishedMarts
from cx.html_report.page import render
from cx.html_report.sections import SECTIONS, Section


@dataclass(frozen=True)
class Report:
    path: Path
    sections: tuple[Section, ...]

    @property
    def charts(self) -> int:
        return sum(len(section.charts) for section in self.sections)

    @property
    def without_data(self) -> tuple[str, ...]:
        return tuple(section.key for section in self.sections if section.no_data)


def report_path(bi_database: Path) -> Path:
    """Where the report of ``bi_database`` goes: ``report/index.html`` beside it."""
    return bi_database.parent / "report" / "index.html"


def write_report(bi_database: Path, path: Path | None = None) -> Report:
    """Write the report of the published marts in ``bi_database`` to ``path``
    (``report_path(bi_database)`` by default), replacing the old one in one step."""
    path = path or report_path(bi_database)
    with PublishedMarts(bi_database) as marts:
        sections = tuple(build(marts) for build in SECTIONS)
        html = render(list(sections), marts.published_at, bi_database.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(html, encoding="utf-8")
    os.replace(partial, path)
    return Report(path, sections)
