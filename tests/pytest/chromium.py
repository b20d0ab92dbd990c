"""Open a page in headless Chromium (Debian's `chromium`) as a person would, and read
back what it drew: the DOM after the page's scripts ran, every console message, and a
screenshot."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
INSTALL = "apt-get install -y --no-install-recommends chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]
# Every console message of the page, as Chromium logs it with --enable-logging=stderr.
CONSOLE = re.compile(r":CONSOLE[^\]]*\] (.*)")
BUDGET_MS = 30000  # virtual time for the scripts: ample, it runs as fast as they allow


def chromium() -> str:
    """The Chromium binary; a test that needs it fails, never skips, without it."""
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not found:
        pytest.fail(f"Headless Chromium is needed and {CHROMIUM} is missing: {INSTALL}")
    return found


@dataclass
class ChartElement:
    id: str
    rendered: str | None
    marks: int = 0  # SVG elements Vega drew for data (role="graphics-symbol")


@dataclass
class Page:
    dom: str
    console: list[str]
    charts: list[ChartElement] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # items of #report-errors
    no_data_sections: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    """The report's chart elements (with the marks inside each), error list and
    no-data sections, from the DOM Chromium dumped."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: list[ChartElement] = []
        self.errors: list[str] = []
        self.no_data: list[str] = []
        self._depth = 0  # div nesting inside the current chart element
        self._in_errors = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "section" and attributes.get("data-no-data") == "true":
            self.no_data.append(attributes.get("id") or "")
        if tag == "div" and "chart" in classes:
            self.charts.append(
                ChartElement(attributes.get("id") or "", attributes.get("data-rendered"))
            )
            self._depth = 1
        elif self._depth and tag == "div":
            self._depth += 1
        if self._depth and attributes.get("role") == "graphics-symbol":
            self.charts[-1].marks += 1
        if tag == "ol" and attributes.get("id") == "report-errors":
            self._in_errors = True

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag == "div":
            self._depth -= 1
        if tag == "ol":
            self._in_errors = False

    def handle_data(self, data: str) -> None:
        if self._in_errors and data.strip():
            self.errors.append(data.strip())


def open_page(page: Path, workdir: Path, screenshot: Path | None = None) -> Page:
    """Load ``page`` (a file, offline) in headless Chromium, let its scripts run, and
    return its DOM, console messages and charts; with ``screenshot``, also save one."""
    binary = chromium()
    common = [binary, *FLAGS, f"--virtual-time-budget={BUDGET_MS}"]
    url = page.resolve().as_uri()
    dumped = subprocess.run(
        [*common, f"--user-data-dir={workdir / 'chromium-dom'}", "--enable-logging=stderr",
         "--v=0", "--dump-dom", url],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    reader = _Reader()
    reader.feed(dumped.stdout)
    if screenshot is not None:
        shot = subprocess.run(
            [*common, f"--user-data-dir={workdir / 'chromium-shot'}", "--window-size=1280,1600",
             f"--screenshot={screenshot}", url],
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        assert shot.returncode == 0 and screenshot.exists(), shot.stderr[-2000:]
    return Page(
        dumped.stdout,
        CONSOLE.findall(dumped.stderr),
        reader.charts,
        reader.errors,
        reader.no_data,
    )
