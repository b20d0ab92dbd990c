"""The chart shapes the report draws, as Vega-Lite specifications built with Altair.

Every estimate is drawn with its published 95% interval (a band over time, a bar
across a point), and a row its mart flags as a small sample is drawn faded and as a
hollow shape, with a legend that says so: a small sample looks uncertain, never like
a bare point. Data goes in as JSON-ready rows (``cx.html_report.marts``); nothing is
computed here that the marts do not publish.
"""

from __future__ import annotations

from typing import Any

import altair as alt

Rows = list[dict[str, Any]]

WIDTH = 640
SMALL_FIELD = "small_sample"  # "yes" / "no", from the mart's `*_is_small_sample` flag
SMALL_TITLE = "Small sample"
FADED = 0.35


def small_sample_label(flag: bool | None) -> str:
    """The legend value of a mart's small-sample flag (a null flag is a missing rate)."""
    return "yes" if flag or flag is None else "no"


def _small_shape() -> alt.Shape:
    return alt.Shape(
        f"{SMALL_FIELD}:N",
        title=SMALL_TITLE,
        scale=alt.Scale(domain=["no", "yes"], range=["circle", "triangle-up"]),
        legend=None,  # the page says it under the chart (a legend merged badly with colour)
    )


def _small_opacity() -> alt.OpacityValue:
    return alt.condition(alt.datum[SMALL_FIELD] == "yes", alt.value(FADED), alt.value(1.0))


def _small_fill(color: alt.Color) -> Any:
    """Filled for an ordinary sample, hollow (white inside) for a small one."""
    return alt.condition(alt.datum[SMALL_FIELD] == "yes", alt.value("white"), color)


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The validated Vega-Lite specification of ``chart``."""
    return chart.to_dict()


def band_over_months(
    rows: Rows,
    *,
    y: str,
    low: str,
    high: str,
    color: str,
    y_title: str,
    color_title: str,
    tooltip: list[Any],
    y_scale: alt.Scale | None = None,
    small_multiples: bool = False,
) -> dict[str, Any]:
    """A line per ``color`` over ``month`` (ordinal ``YYYY-MM``) with its interval band;
    points of small samples hollow and faded. With ``small_multiples``, one panel per
    ``color`` (many groups' bands would hide one another)."""
    base = alt.Chart().encode(
        x=alt.X("month:O", title="Month (UTC)"),
        color=alt.Color(f"{color}:N", title=color_title),
    )
    scale = y_scale or alt.Scale(zero=False)
    band = base.mark_area(opacity=0.18).encode(
        y=alt.Y(f"{low}:Q", title=y_title, scale=scale), y2=alt.Y2(f"{high}:Q")
    )
    line = base.mark_line().encode(y=alt.Y(f"{y}:Q", scale=scale))
    points = base.mark_point(size=45, filled=False, strokeWidth=1.5).encode(
        y=alt.Y(f"{y}:Q", scale=scale),
        shape=_small_shape(),
        opacity=_small_opacity(),
        fill=_small_fill(alt.Color(f"{color}:N", legend=None)),
        tooltip=tooltip,
    )
    chart = alt.layer(band, line, points, data=alt.Data(values=rows))
    if not small_multiples:
        return spec(chart.properties(width=WIDTH, height=260))
    return spec(
        chart.properties(width=WIDTH, height=90).facet(
            row=alt.Row(f"{color}:N", title=color_title, header=alt.Header(labelAngle=0))
        )
    )


def points_with_intervals(
    rows: Rows,
    *,
    category: str,
    category_title: str,
    y: str,
    low: str,
    high: str,
    y_title: str,
    tooltip: list[Any],
    color: str | None = None,
    color_title: str | None = None,
    column: str | None = None,
    column_title: str | None = None,
    sort: list[str] | None = None,
    y_scale: alt.Scale | None = None,
    reference: float | None = None,
) -> dict[str, Any]:
    """One point per ``category`` (and ``color``, side by side) with a bar across its
    95% interval, optionally one panel per ``column``."""
    scale = y_scale or alt.Scale(zero=False)
    encoding: dict[str, Any] = {
        "x": alt.X(
            f"{category}:N",
            title=category_title,
            sort=sort,
            axis=alt.Axis(labelAngle=-30, labelLimit=220),
        ),
    }
    fill: Any = alt.value("#4c78a8")
    if color is not None:
        encoding["xOffset"] = alt.XOffset(f"{color}:N")
        encoding["color"] = alt.Color(f"{color}:N", title=color_title)
        fill = alt.Color(f"{color}:N", legend=None)
    base = alt.Chart().encode(**encoding)
    rule = base.mark_rule(strokeWidth=2).encode(
        y=alt.Y(f"{low}:Q", title=y_title, scale=scale),
        y2=alt.Y2(f"{high}:Q"),
        opacity=_small_opacity(),
    )
    points = base.mark_point(size=60, filled=False, strokeWidth=2).encode(
        y=alt.Y(f"{y}:Q", scale=scale),
        shape=_small_shape(),
        opacity=_small_opacity(),
        fill=_small_fill(fill),
        tooltip=tooltip,
    )
    layers: list[alt.Chart] = [rule, points]
    if reference is not None:
        layers.insert(
            0,
            alt.Chart().mark_rule(color="#888", strokeDash=[4, 4]).encode(y=alt.datum(reference)),
        )
    width = WIDTH if column is None else 300
    chart = alt.layer(*layers, data=alt.Data(values=rows)).properties(width=width, height=240)
    if column is not None:
        chart = chart.facet(column=alt.Column(f"{column}:N", title=column_title))
    return spec(chart)


def heatmap(
    rows: Rows,
    *,
    x: str,
    x_title: str,
    y: str,
    y_title: str,
    value: str,
    value_title: str,
    tooltip: list[Any],
    value_format: str = ".0%",
) -> dict[str, Any]:
    """A cell per ``x`` and ``y`` coloured by ``value``; small-sample cells faded and
    marked with a dot."""
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X(f"{x}:O", title=x_title),
        y=alt.Y(f"{y}:O", title=y_title),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            f"{value}:Q",
            title=value_title,
            scale=alt.Scale(scheme="blues"),
            legend=alt.Legend(format=value_format),
        ),
        opacity=_small_opacity(),
        tooltip=tooltip,
    )
    dots = (
        base.transform_filter(alt.datum[SMALL_FIELD] == "yes")
        .mark_point(shape="triangle-up", size=14, color="#444", filled=True)
        .encode(shape=_small_shape())
    )
    return spec(alt.layer(cells, dots).properties(width=WIDTH, height=alt.Step(16)))


def bars(
    rows: Rows,
    *,
    category: str,
    category_title: str,
    value: str,
    value_title: str,
    tooltip: list[Any],
    color: str | None = None,
    color_title: str | None = None,
    sort: list[str] | str | None = None,
    horizontal: bool = False,
    colors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Bars of a count per ``category``, stacked by ``color`` when given (in the order
    and colours of ``colors``, value to colour, when given)."""
    cat = (alt.Y if horizontal else alt.X)(f"{category}:N", title=category_title, sort=sort)
    val = (alt.X if horizontal else alt.Y)(f"{value}:Q", title=value_title)
    encoding: dict[str, Any] = {"tooltip": tooltip}
    if color is not None:
        scale = alt.Scale(domain=list(colors), range=list(colors.values())) if colors else None
        encoding["color"] = alt.Color(
            f"{color}:N", title=color_title, **({"scale": scale} if scale else {})
        )
        if colors:
            encoding["order"] = alt.Order("order:Q")
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(cat, val, **encoding)
        .properties(width=WIDTH if not horizontal else 480, height=260)
    )
    return spec(chart)


def histogram(rows: Rows, *, title: str, value_format: str) -> dict[str, Any]:
    """Customers per bin: rows of ``bin_start``, ``bin_end`` and ``customers``, binned
    in the BI file (``cx.html_report.marts.histogram``), so the page holds no
    per-customer values."""
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_rect(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("bin_start:Q", title=title, axis=alt.Axis(format=value_format)),
            x2=alt.X2("bin_end:Q"),
            y=alt.Y("customers:Q", title="Customers"),
            y2=alt.datum(0),
            tooltip=[
                alt.Tooltip("bin_start:Q", title="From", format=value_format),
                alt.Tooltip("bin_end:Q", title="To", format=value_format),
                alt.Tooltip("customers:Q", title="Customers"),
            ],
        )
        .properties(width=300, height=220)
    )
    return spec(chart)
