"""The report as one self-contained HTML page: Vega, Vega-Lite and vega-embed inlined
(the bundle vl-convert ships for Altair's offline HTML), every chart's specification
as JSON in the page, no request to any server.

Every chart is drawn as SVG into its ``div.chart``; when it is drawn the page sets
``data-rendered="true"`` on it, and any error (a script that fails, a chart Vega
cannot draw) is listed in ``#report-errors`` and logged to the console, so a headless
browser can tell a page that rendered from one that did not.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jinja2
import vl_convert
from altair import SCHEMA_VERSION
from markupsafe import Markup

from cx.html_report.sections import Section


@functools.cache
def javascript_bundle() -> str:
    """Vega, Vega-Lite (the version Altair writes, ``v6.4.1`` as ``v6_4``) and vega-embed
    as one script defining ``window.vegaEmbed``, safe inside a ``<script>`` element."""
    vl_version = "_".join(SCHEMA_VERSION.split(".")[:2])
    bundle = vl_convert.javascript_bundle(vl_version=vl_version)
    return bundle.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def _script_json(value: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` element: no NaN (JSON has none)
    and no ``</`` that could end the element."""
    text = json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("</", "<\\/"))  # JSON, escaped for a script element


_ENVIRONMENT = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_ENVIRONMENT.filters["script_json"] = _script_json
_TEMPLATE = _ENVIRONMENT.from_string(
    (Path(__file__).parent / "report.html.j2").read_text(encoding="utf-8")
)


def render(sections: list[Section], published_at: str | None, database: str) -> str:
    """The page, every chart's specification and the charting scripts inlined."""
    return _TEMPLATE.render(
        sections=sections,
        published_at=published_at,
        database=database,
        bundle=Markup(javascript_bundle()),  # the vl-convert bundle, made script-safe
    )
