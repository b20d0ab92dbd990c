"""The report's panels: each reads published marts, says its n, period and
definition, and draws the marts' own estimates with their intervals.

A panel whose mart is not in the publication, has no rows, or has nothing to draw
(no responses, no tickets) says so in words instead of drawing an empty chart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import altair as alt

from cx.html_report import charts
from cx.html_report.charts import SMALL_FIELD, small_sample_label
from cx.html_report.marts import PublishedMarts, Rows

AT_RISK_LISTED = 10  # customers in the at-risk table
TOP_PATHS = 10  # paths in the top-paths chart
NPS_SURVEY_TYPES = "relationship and transactional NPS are drawn apart, never pooled"


@dataclass(frozen=True)
class Chart:
    title: str
    spec: dict[str, Any]

    @property
    def small_samples(self) -> int:
        """Rows the chart draws as small samples (the page says so below it)."""
        return sum(row.get(SMALL_FIELD) == "yes" for row in _values(self.spec))


def _values(spec: Any) -> Rows:
    """Every inline data row of a Vega-Lite specification, wherever Altair put it."""
    if isinstance(spec, dict):
        rows = spec.get("values") if isinstance(spec.get("values"), list) else []
        return rows + [row for value in spec.values() for row in _values(value)]
    if isinstance(spec, list):
        return [row for value in spec for row in _values(value)]
    return []


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    definition: str
    marts: tuple[str, ...]
    n: str = ""
    period: str = ""
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = ()
    no_data: str | None = None
    mart_descriptions: dict[str, str] = field(default_factory=dict)


def _count(value: int | float | None) -> str:
    return f"{int(value or 0):,}"


def _months(rows: Rows) -> str:
    """``first to last`` month of rows holding ``month`` (``YYYY-MM``) and
    ``is_partial_period``, naming the partial months."""
    months = sorted({row["month"] for row in rows})
    partial = sorted({row["month"] for row in rows if row.get("is_partial_period")})
    text = f"{months[0]} to {months[-1]} (UTC months)"
    return text + (f"; partial: {', '.join(partial)}" if partial else "")


def _flag(rows: Rows, flag: str) -> Rows:
    """``rows`` with the legend value of their small-sample ``flag``."""
    return [{**row, SMALL_FIELD: small_sample_label(row[flag])} for row in rows]


def _missing(marts: PublishedMarts, names: tuple[str, ...]) -> str | None:
    """Why ``names`` cannot be drawn: not published, or published without rows."""
    absent = [name for name in names if name not in marts.marts]
    if absent:
        return f"Not in this publication: {', '.join(absent)}."
    empty = [name for name in names if marts.marts[name] == 0]
    if empty:
        return f"No rows in this publication: {', '.join(empty)}."
    return None


def _rate_tooltip(prefix: str, title: str) -> list[alt.Tooltip]:
    return [
        alt.Tooltip(f"{prefix}:Q", title=title, format=".1%"),
        alt.Tooltip(f"{prefix}_ci_low:Q", title="95% interval from", format=".1%"),
        alt.Tooltip(f"{prefix}_ci_high:Q", title="95% interval to", format=".1%"),
        alt.Tooltip(f"{prefix}_n:Q", title="n", format=","),
        alt.Tooltip(f"{SMALL_FIELD}:N", title=charts.SMALL_TITLE),
    ]


def _nps_tooltip(prefix: str = "nps") -> list[alt.Tooltip]:
    return [
        alt.Tooltip(f"{prefix}:Q", title="NPS", format=".1f"),
        alt.Tooltip(f"{prefix}_ci_low:Q", title="95% interval from", format=".1f"),
        alt.Tooltip(f"{prefix}_ci_high:Q", title="95% interval to", format=".1f"),
        alt.Tooltip("responses:Q", title="Responses", format=","),
        alt.Tooltip(f"{SMALL_FIELD}:N", title=charts.SMALL_TITLE),
    ]


NPS_SCALE = alt.Scale(domain=[-100, 100])
RATE_SCALE = alt.Scale(domain=[0, 1])


def nps_monthly(marts: PublishedMarts) -> Section:
    names = ("mart_nps_monthly",)
    section = Section(
        "nps-monthly",
        "NPS by month and survey type",
        "NPS = 100 x (promoters - detractors) / responses, every segment together"
        " (segment `all`); the band is the adjusted-Wald 95% interval; " + NPS_SURVEY_TYPES + ".",
        names,
    )
    if reason := _missing(marts, names):
        return _no_data(section, reason)
    rows = marts.rows(
        "select strftime(month, '%Y-%m') as month, survey_type, is_partial_period,"
        " responses, nps, nps_ci_low, nps_ci_high, is_small_sample"
        " from marts.mart_nps_monthly where segment = 'all' order by month, survey_type"
    )
    answered = [row for row in rows if row["responses"]]
    if not answered:
        return _no_data(section, "No valid NPS response in the published months.")
    spec = charts.band_over_months(
        _flag(answered, "is_small_sample"),
        y="nps",
        low="nps_ci_low",
        high="nps_ci_high",
        color="survey_type",
        y_title="NPS",
        color_title="Survey type",
        y_scale=NPS_SCALE,
        tooltip=[
            alt.Tooltip("month:O", title="Month"),
            alt.Tooltip("survey_type:N", title="Survey type"),
            *_nps_tooltip(),
        ],
    )
    return _with(
        section,
        marts,
        n=f"{_count(sum(row['responses'] for row in rows))} valid NPS responses",
        period=_months(rows),
        charts=(Chart("NPS with its 95% interval", spec),),
        notes=_empty_months(rows, "responses"),
    )


def _empty_months(rows: Rows, count: str) -> tuple[str, ...]:
    empty = len([row for row in rows if not row[count]])
    return (
        (f"{empty} month and survey-type cells without a response are not drawn.",) if empty else ()
    )


def nps_drivers(marts: PublishedMarts) -> Section:
    names = ("mart_nps_driver_summary",)
    section = Section(
        "nps-drivers",
        "NPS drivers: exposed or not",
        "NPS of the responses whose customer had the support experience (exposed) and of"
        " the others, per survey type, with the adjusted-Wald 95% interval.",
        names,
    )
    if reason := _missing(marts, names):
        return _no_data(section, reason)
    rows = marts.rows(
        "select driver, case when is_exposed then 'exposed' else 'not exposed' end"
        " as exposure, survey_type, responses, nps, nps_ci_low, nps_ci_high, is_small_sample"
        " from marts.mart_nps_driver_summary order by driver, survey_type, exposure"
    )
    drawn = [row for row in rows if row["responses"]]
    if not drawn:
        return _no_data(section, "No valid NPS response in the publication.")
    spec = charts.points_with_intervals(
        _flag(drawn, "is_small_sample"),
        category="driver",
        category_title="Driver",
        y="nps",
        low="nps_ci_low",
        high="nps_ci_high",
        y_title="NPS",
        color="exposure",
        color_title="Exposure",
        column="survey_type",
        column_title="Survey type",
        y_scale=NPS_SCALE,
        reference=0,
        tooltip=[
            alt.Tooltip("driver:N", title="Driver"),
            alt.Tooltip("exposure:N", title="Exposure"),
            *_nps_tooltip(),
        ],
    )
    period = (
        marts.value(
            "select strftime(min(responded_at), '%Y-%m-%d') || ' to '"
            " || strftime(max(responded_at), '%Y-%m-%d') from marts.fct_survey_responses"
            " where nps_score is not null"
        )
        if "fct_survey_responses" in marts.marts
        else ""
    )
    unanswered = len(rows) - len(drawn)
    return _with(
        section,
        marts,
        n=f"{_count(sum(row['responses'] for row in rows))} responses over every driver"
        " and exposure (a response counts once per driver)",
        period=f"NPS responses from {period}" if period else "",
        charts=(Chart("NPS of exposed and not exposed, with 95% intervals", spec),),
        notes=(f"{unanswered} driver groups without a response are not drawn.",)
        if unanswered
        else (),
    )


def journey(marts: PublishedMarts) -> Section:
    names = ("mart_journey_funnel", "mart_journey_paths")
    section = Section(
        "journey",
        "Journey funnel and top paths to purchase",
        "The strict funnel: customers who reached every earlier stage first, then this one;"
        " conversion from the previous stage with its Wilson 95% interval. Paths: the first"
        f" two touchpoint types of each customer before their first purchase; the {TOP_PATHS}"
        " paths with the most purchasers, with their conversion rate and Wilson 95% interval.",
        names,
    )
    if reason := _missing(marts, names):
        return _no_data(section, reason)
    funnel = marts.rows(
        "select journey_stage, stage_order, customers_ever_reached, customers_reached_in_order,"
        " conversion_from_previous, conversion_from_previous_n, conversion_from_previous_ci_low,"
        " conversion_from_previous_ci_high, conversion_from_previous_is_small_sample"
        " from marts.mart_journey_funnel order by stage_order"
    )
    stages = [row["journey_stage"] for row in funnel]
    reached = charts.bars(
        funnel,
        category="journey_stage",
        category_title="Journey stage",
        value="customers_reached_in_order",
        value_title="Customers (strict funnel)",
        sort=stages,
        tooltip=[
            alt.Tooltip("journey_stage:N", title="Stage"),
            alt.Tooltip("customers_reached_in_order:Q", title="In order", format=","),
            alt.Tooltip("customers_ever_reached:Q", title="Ever", format=","),
        ],
    )
    converted = [row for row in funnel if row["conversion_from_previous"] is not None]
    paths = marts.rows(
        "select path, customers, purchasers, conversion_rate, conversion_rate_n,"
        " conversion_rate_ci_low, conversion_rate_ci_high, conversion_rate_is_small_sample"
        " from marts.mart_journey_paths where path_level = 'touchpoint_type' and steps = 2"
        " and purchasers > 0 order by purchasers desc, path limit ?",
        [TOP_PATHS],
    )
    drawn = [Chart("Customers per stage (strict funnel)", reached)]
    notes = []
    if converted:
        drawn.append(
            Chart(
                "Conversion from the previous stage, with 95% intervals",
                charts.points_with_intervals(
                    _flag(converted, "conversion_from_previous_is_small_sample"),
                    category="journey_stage",
                    category_title="Journey stage",
                    y="conversion_from_previous",
                    low="conversion_from_previous_ci_low",
                    high="conversion_from_previous_ci_high",
                    y_title="Conversion from previous",
                    sort=stages,
                    y_scale=RATE_SCALE,
                    tooltip=[
                        alt.Tooltip("journey_stage:N", title="Stage"),
                        *_rate_tooltip("conversion_from_previous", "Conversion"),
                    ],
                ),
            )
        )
    else:
        notes.append("No stage has a conversion from the previous one (nobody reached one).")
    if paths:
        drawn.append(
            Chart(
                f"Top {len(paths)} two-step paths by purchasers: conversion rate, 95% intervals",
                charts.points_with_intervals(
                    _flag(paths, "conversion_rate_is_small_sample"),
                    category="path",
                    category_title="First two touchpoint types",
                    y="conversion_rate",
                    low="conversion_rate_ci_low",
                    high="conversion_rate_ci_high",
                    y_title="Conversion rate",
                    sort=[row["path"] for row in paths],
                    y_scale=RATE_SCALE,
                    tooltip=[
                        alt.Tooltip("path:N", title="Path"),
                        alt.Tooltip("purchasers:Q", title="Purchasers", format=","),
                        *_rate_tooltip("conversion_rate", "Conversion rate"),
                    ],
                ),
            )
        )
    else:
        notes.append("No two-step path led to a purchase: no top paths to draw.")
    first = funnel[0]["customers_ever_reached"] if funnel else 0
    return _with(
        section,
        marts,
        n=f"{_count(first)} customers reached the first stage ({stages[0]})",
        period=_touchpoint_period(marts),
        charts=tuple(drawn),
        notes=tuple(notes),
    )


def _touchpoint_period(marts: PublishedMarts) -> str:
    if not marts.marts.get("fct_touchpoints"):
        return ""
    return "touchpoints from " + marts.value(
        "select strftime(min(occurred_at), '%Y-%m-%d') || ' to '"
        " || strftime(max(occurred_at), '%Y-%m-%d') from marts.fct_touchpoints"
    )


def cohort_retention(marts: PublishedMarts) -> Section:
    names = ("mart_cohort_retention",)
    section = Section(
        "cohort-retention",
        "Cohort retention",
        "Share of each first-order month's customers who ordered again N months later"
        " (retention rate, Wilson 95% interval in the tooltip); faded cells with a triangle"
        " are small samples.",
        names,
    )
    if reason := _missing(marts, names):
        return _no_data(section, reason)
    rows = marts.rows(
        "select strftime(cohort_month, '%Y-%m') as cohort_month, months_since_first_order,"
        " cohort_customers, active_customers, retention_rate, retention_rate_n,"
        " retention_rate_ci_low, retention_rate_ci_high, retention_rate_is_small_sample"
        " from marts.mart_cohort_retention order by cohort_month, months_since_first_order"
    )
    # Month 0 is the cohort month itself, where every customer ordered: drawn, it would
    # take the colour scale's top and wash out every later month.
    later = [row for row in rows if row["months_since_first_order"] > 0]
    if not later:
        return _with(
            section,
            marts,
            n=f"{_count(rows[0]['cohort_customers'])} customers",
            no_data="Every cohort is in its first month: no later month to show.",
        )
    spec = charts.heatmap(
        _flag(later, "retention_rate_is_small_sample"),
        x="months_since_first_order",
        x_title="Months since first order",
        y="cohort_month",
        y_title="First-order month (cohort)",
        value="retention_rate",
        value_title="Retention",
        tooltip=[
            alt.Tooltip("cohort_month:O", title="Cohort"),
            alt.Tooltip("months_since_first_order:O", title="Months since"),
            alt.Tooltip("active_customers:Q", title="Active", format=","),
            *_rate_tooltip("retention_rate", "Retention"),
        ],
    )
    cohorts = {row["cohort_month"]: row["cohort_customers"] for row in rows}
    months = sorted(cohorts)
    return _with(
        section,
        marts,
        n=f"{_count(sum(cohorts.values()))} customers in {len(cohorts)} cohorts",
        period=f"first orders from {months[0]} to {months[-1]} (UTC months)",
        charts=(Chart("Retention by cohort and month since the first order", spec),),
        notes=("Month 0, the cohort month itself (retention 100% by definition), is not drawn.",),
    )


def customer_value(marts: PublishedMarts) -> Section:
    names = ("fct_customer_value", "fct_customer_churn", "mart_clv_model_fit")
    section = Section(
        "customer-value",
        "Customer value: CLV, P(alive) and the most valuable customers at risk",
        "Predicted 12-month CLV (BG/NBD and Gamma-Gamma, discounted) and P(alive) of every"
        " customer with an order; customers are counted per bin. The table lists the"
        f" {AT_RISK_LISTED} customers with status `at_risk` and the highest predicted CLV,"
        " with what they experienced in the last 90 days (customer id only: no names or"
        " emails).",
        names,
    )
    if reason := _missing(marts, names):
        return _no_data(section, reason)
    drawn: list[Chart] = []
    notes: list[str] = []
    for column, title, value_format in (
        ("predicted_clv_12m_usd", "Predicted 12-month CLV (USD)", "$,.0f"),
        ("p_alive", "P(alive)", ".0%"),
    ):
        bins = marts.histogram("fct_customer_value", column)
        if len(bins) > 1:
            drawn.append(
                Chart(
                    f"{title}: customers per bin",
                    charts.histogram(bins, title=title, value_format=value_format),
                )
            )
        elif bins:
            notes.append(f"Every customer with a {title} has the same value: {bins[0]['bin_end']}.")
        else:
            notes.append(f"No customer has a {title} (see the model fit's status).")
    fit = marts.rows("select distinct model, status from marts.mart_clv_model_fit order by model")
    notes += [
        f"Model {row['model']}: status {row['status']}." for row in fit if row["status"] != "ok"
    ]
    at_risk = marts.rows(
        "select customer_id, days_since_last_order, p_alive, predicted_clv_12m_usd,"
        " tickets_90d, reopened_tickets_90d, bad_ratings_90d, last_nps_category_90d,"
        " array_to_string(negative_verbatim_themes_90d, ', ') as themes"
        " from marts.fct_customer_churn where churn_status = 'at_risk'"
        " order by predicted_clv_12m_usd desc nulls last, customer_id limit ?",
        [AT_RISK_LISTED],
    )
    at_risk_count = marts.value(
        "select count(*) from marts.fct_customer_churn where churn_status = 'at_risk'"
    )
    tables = ()
    if at_risk:
        tables = (
            Table(
                f"The {len(at_risk)} at-risk customers with the highest predicted CLV"
                f" (of {_count(at_risk_count)} at risk)",
                (
                    "customer",
                    "days since last order",
                    "P(alive)",
                    "predicted CLV 12m (USD)",
                    "tickets 90d",
                    "reopened 90d",
                    "bad ratings 90d",
                    "last NPS 90d",
                    "negative themes 90d",
                ),
                tuple(
                    (
                        str(row["customer_id"]),
                        _count(row["days_since_last_order"]),
                        _percent(row["p_alive"]),
                        _money(row["predicted_clv_12m_usd"]),
                        _count(row["tickets_90d"]),
                        _count(row["reopened_tickets_90d"]),
                        _count(row["bad_ratings_90d"]),
                        row["last_nps_category_90d"] or "none",
                        row["themes"] or "none",
                    )
                    for row in at_risk
                ),
            ),
        )
    else:
        notes.append("No customer is at risk.")
    customers = marts.marts["fct_customer_value"]
    observed = marts.value("select max(observation_end) from marts.mart_clv_model_fit")
    return _with(
        section,
        marts,
        n=f"{_count(customers)} customers with an order",
        period=f"orders up to the observation end, {observed}; predictions 12 months on",
        charts=tuple(drawn),
        tables=tables,
        notes=tuple(notes),
    )


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _money(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def support_times(marts: PublishedMarts) -> Section:
    names = ("fct_support_tickets",)
    section = Section(
        "support-times",
        "Support: first reply and resolution times by channel",
        "Calendar hours from a ticket's creation to the first public agent reply, and to its"
        " (last) resolution: the median (point) and the middle half of tickets (25th to"
        " 75th percentile, interpolated), over the tickets that have one. Each channel's"
        " label gives its n.",
        names,
    )
    if reason := _missing(marts, names):
        return _no_data(section, reason)
    rows = marts.rows(
        "with measured as ("
        " select channel, 'first reply' as measure, first_reply_minutes / 60.0 as hours"
        " from marts.fct_support_tickets where first_reply_minutes is not null"
        " union all"
        " select channel, 'full resolution', full_resolution_minutes / 60.0"
        " from marts.fct_support_tickets where full_resolution_minutes is not null)"
        " select measure, channel, count(*) as tickets,"
        " quantile_cont(hours, 0.25) as p25, quantile_cont(hours, 0.5) as median,"
        " quantile_cont(hours, 0.75) as p75"
        " from measured group by measure, channel order by measure, channel"
    )
    if not rows:
        return _no_data(section, "No ticket has a reply or a resolution.")
    labelled = [
        {**row, "channel_n": f"{row['channel']} (n={row['tickets']:,})", SMALL_FIELD: "no"}
        for row in rows
    ]
    drawn = []
    for measure in ("first reply", "full resolution"):
        of_measure = [row for row in labelled if row["measure"] == measure]
        if not of_measure:
            continue
        drawn.append(
            Chart(
                f"Hours to {measure}: median and 25th-75th percentile",
                charts.points_with_intervals(
                    of_measure,
                    category="channel_n",
                    category_title="Channel (tickets)",
                    y="median",
                    low="p25",
                    high="p75",
                    y_title=f"Hours to {measure}",
                    y_scale=alt.Scale(zero=True),
                    tooltip=[
                        alt.Tooltip("channel:N", title="Channel"),
                        alt.Tooltip("tickets:Q", title="Tickets", format=","),
                        alt.Tooltip("median:Q", title="Median hours", format=".1f"),
                        alt.Tooltip("p25:Q", title="25th percentile", format=".1f"),
                        alt.Tooltip("p75:Q", title="75th percentile", format=".1f"),
                    ],
                ),
            )
        )
    period = marts.value(
        "select strftime(min(created_at), '%Y-%m-%d') || ' to '"
        " || strftime(max(created_at), '%Y-%m-%d') from marts.fct_support_tickets"
    )
    return _with(
        section,
        marts,
        n=f"{_count(marts.marts['fct_support_tickets'])} tickets",
        period=f"tickets created from {period}",
        charts=tuple(drawn),
    )


def themes(marts: PublishedMarts) -> Section:
    names = ("mart_theme_sentiment",)
    section = Section(
        "themes",
        "Verbatim themes by sentiment",
        "Mentions of each theme of the taxonomy in verbatims, every language and month"
        " together, by the sentiment of the sentence that mentions it; `unscored` mentions"
        " are in a language without a scorer or past a long verbatim's scored prefix.",
        names,
    )
    if reason := _missing(marts, names):
        return _no_data(section, reason)
    totals = marts.rows(
        "select theme, sum(positive_mentions) as positive, sum(neutral_mentions) as neutral,"
        " sum(negative_mentions) as negative, sum(unscored_mentions) as unscored,"
        " sum(mentions) as mentions, strftime(min(month), '%Y-%m') as first_month,"
        " strftime(max(month), '%Y-%m') as last_month"
        " from marts.mart_theme_sentiment group by theme order by mentions desc, theme"
    )
    mentions = sum(row["mentions"] for row in totals)
    if not mentions:
        return _no_data(section, "No verbatim mentions a theme in the published months.")
    colors = {
        "negative": "#e45756",
        "neutral": "#bab0ac",
        "positive": "#54a24b",
        "unscored": "#dcdcdc",
    }
    order = list(colors)
    long = [
        {
            "theme": row["theme"],
            "sentiment": sentiment,
            "mentions": row[sentiment],
            "order": order.index(sentiment),
        }
        for row in totals
        for sentiment in order
        if row["mentions"]
    ]
    spec = charts.bars(
        long,
        category="theme",
        category_title="Theme",
        value="mentions",
        value_title="Mentions",
        color="sentiment",
        color_title="Sentiment",
        sort=[row["theme"] for row in totals if row["mentions"]],
        horizontal=True,
        colors=colors,
        tooltip=[
            alt.Tooltip("theme:N", title="Theme"),
            alt.Tooltip("sentiment:N", title="Sentiment"),
            alt.Tooltip("mentions:Q", title="Mentions", format=","),
        ],
    )
    return _with(
        section,
        marts,
        n=f"{_count(mentions)} theme mentions",
        period=f"{totals[0]['first_month']} to {totals[0]['last_month']} (UTC months)",
        charts=(Chart("Theme mentions by sentiment", spec),),
    )


def experience_value(marts: PublishedMarts) -> Section:
    names = ("mart_experience_value",)
    section = Section(
        "experience-value",
        "Value after an experience",
        "Revenue per customer in the 365 days after their first experience of each kind"
        " (customers without an order count 0), with the Student t 95% interval; only"
        " customers observed for the whole 365 days count (n on the axis).",
        names,
    )
    if reason := _missing(marts, names):
        return _no_data(section, reason)
    rows = marts.rows(
        "select experience, experience_group, group_order, customers_observed_365d,"
        " revenue_per_customer_365d_usd, revenue_per_customer_365d_usd_ci_low,"
        " revenue_per_customer_365d_usd_ci_high, revenue_per_customer_365d_usd_is_small_sample"
        " from marts.mart_experience_value order by experience, group_order"
    )
    drawn = [
        {
            **row,
            "group": f"{row['experience']}: {row['experience_group']}"
            f" (n={row['customers_observed_365d']:,})",
        }
        for row in rows
        if row["revenue_per_customer_365d_usd"] is not None
    ]
    if not drawn:
        return _no_data(section, "No customer was observed for 365 days after an experience.")
    spec = charts.points_with_intervals(
        _flag(drawn, "revenue_per_customer_365d_usd_is_small_sample"),
        category="group",
        category_title="Experience: group (customers observed)",
        y="revenue_per_customer_365d_usd",
        low="revenue_per_customer_365d_usd_ci_low",
        high="revenue_per_customer_365d_usd_ci_high",
        y_title="Revenue per customer, 365 days (USD)",
        color="experience",
        color_title="Experience",
        sort=[row["group"] for row in drawn],
        tooltip=[
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip(
                "revenue_per_customer_365d_usd:Q", title="Revenue per customer", format="$,.2f"
            ),
            alt.Tooltip(
                "revenue_per_customer_365d_usd_ci_low:Q", title="95% interval from", format="$,.2f"
            ),
            alt.Tooltip(
                "revenue_per_customer_365d_usd_ci_high:Q", title="95% interval to", format="$,.2f"
            ),
            alt.Tooltip(f"{SMALL_FIELD}:N", title=charts.SMALL_TITLE),
        ],
    )
    without = len(rows) - len(drawn)
    return _with(
        section,
        marts,
        n=f"{_count(sum(row['customers_observed_365d'] for row in rows))} customer-experience"
        " pairs observed 365 days (a customer counts once per kind of experience)",
        period=_orders_period(marts),
        charts=(Chart("Revenue per customer in the 365 days after, 95% intervals", spec),),
        notes=(f"{without} groups without an observed customer are not drawn.",) if without else (),
    )


def _orders_period(marts: PublishedMarts) -> str:
    if not marts.marts.get("fct_customer_value"):
        return ""
    return "orders from " + marts.value(
        "select strftime(min(first_order_at), '%Y-%m-%d') || ' to '"
        " || strftime(max(last_order_at), '%Y-%m-%d') from marts.fct_customer_value"
    )


def _monthly_rate(
    key: str,
    title: str,
    definition: str,
    mart: str,
    group: str,
    group_title: str,
    rate: str,
    rate_title: str,
    counted: str,
    where: str = "true",
) -> Callable[[PublishedMarts], Section]:
    """A panel of one published rate per month and ``group``, with its Wilson band."""

    def build(marts: PublishedMarts) -> Section:
        section = Section(key, title, definition, (mart,))
        if reason := _missing(marts, (mart,)):
            return _no_data(section, reason)
        rows = marts.rows(
            f"select strftime(month, '%Y-%m') as month, {group}, is_partial_period, {rate},"
            f" {rate}_n, {rate}_ci_low, {rate}_ci_high, {rate}_is_small_sample"
            f" from marts.{mart} where {where} order by month, {group}"
        )
        drawn = [row for row in rows if row[rate] is not None]
        if not drawn:
            return _no_data(section, f"No {rate_title.lower()} to draw: every n is 0.")
        spec = charts.band_over_months(
            _flag(drawn, f"{rate}_is_small_sample"),
            y=rate,
            low=f"{rate}_ci_low",
            high=f"{rate}_ci_high",
            color=group,
            y_title=rate_title,
            color_title=group_title,
            y_scale=RATE_SCALE,
            small_multiples=True,
            tooltip=[
                alt.Tooltip("month:O", title="Month"),
                alt.Tooltip(f"{group}:N", title=group_title),
                *_rate_tooltip(rate, rate_title),
            ],
        )
        without = len(rows) - len(drawn)
        return _with(
            section,
            marts,
            n=f"{_count(sum(row[f'{rate}_n'] for row in rows))} {counted}",
            period=_months(rows),
            charts=(Chart(f"{rate_title} with its 95% interval", spec),),
            notes=(f"{without} month cells with n = 0 are not drawn.",) if without else (),
        )

    return build


stage_experience = _monthly_rate(
    "stage-experience",
    "Experience per journey stage: CES easy share",
    "Share of CES answers of 5-7 (easy) per month and journey stage the response is in,"
    " with the Wilson 95% interval.",
    "mart_stage_experience",
    "journey_stage",
    "Journey stage",
    "ces_easy_share",
    "CES easy share",
    "CES answers",
)

team_csat = _monthly_rate(
    "team-performance",
    "Agents and teams: help-desk CSAT per team",
    "good / (good + bad) help-desk ratings of the tickets assigned to each team's agents,"
    " per month of ticket creation, with the Wilson 95% interval.",
    "mart_team_performance",
    "team",
    "Team",
    "helpdesk_csat",
    "Help-desk CSAT",
    "rated tickets assigned to an agent",
)

support_one_touch = _monthly_rate(
    "support-monthly",
    "Support: one-touch rate per channel",
    "Share of solved tickets solved with exactly one public agent reply, per month of"
    " ticket creation and channel, with the Wilson 95% interval.",
    "mart_support_monthly",
    "channel",
    "Channel",
    "one_touch_rate",
    "One-touch rate",
    "solved tickets",
    where="channel <> 'all'",
)


def churn_drivers(marts: PublishedMarts) -> Section:
    names = ("mart_churn_drivers",)
    section = Section(
        "churn-drivers",
        "Churn drivers: relative risk of lapsing",
        "Lapse rate of customers who had the experience in the 90 days up to the cut date"
        " over that of the others (relative risk), with the log-method 95% interval, on a"
        " log scale; above 1 (dashed) the experience comes before more lapsing.",
        names,
    )
    if reason := _missing(marts, names):
        return _no_data(section, reason)
    rows = marts.rows(
        "select driver, driver_order, customers, customers_exposed, customers_not_exposed,"
        " relative_risk, relative_risk_ci_low, relative_risk_ci_high, relative_risk_status,"
        " lapse_rate_exposed, lapse_rate_not_exposed,"
        " lapse_rate_exposed_is_small_sample or lapse_rate_not_exposed_is_small_sample"
        " as is_small_sample, exposure_window_start_date, exposure_window_end_date,"
        " status_date from marts.mart_churn_drivers order by driver_order"
    )
    drawn = [
        {**row, "driver_n": f"{row['driver']} (n={row['customers_exposed']:,} exposed)"}
        for row in rows
        if row["relative_risk_ci_low"] is not None and row["relative_risk"]
    ]
    notes = tuple(
        f"{row['driver']}: no interval ({row['relative_risk_status']})."
        for row in rows
        if not (row["relative_risk_ci_low"] is not None and row["relative_risk"])
    )
    first = rows[0]
    period = (
        f"exposure {first['exposure_window_start_date']} to"
        f" {first['exposure_window_end_date']}; lapsed as of {first['status_date']}"
        if first["status_date"]
        else ""
    )
    if not drawn:
        return _with(
            section,
            marts,
            n=f"{_count(first['customers'])} customers",
            period=period,
            notes=notes,
            no_data="No driver has a relative risk with an interval.",
        )
    spec = charts.points_with_intervals(
        _flag(drawn, "is_small_sample"),
        category="driver_n",
        category_title="Driver (customers exposed)",
        y="relative_risk",
        low="relative_risk_ci_low",
        high="relative_risk_ci_high",
        y_title="Relative risk of lapsing",
        y_scale=alt.Scale(type="log"),
        reference=1,
        sort=[row["driver_n"] for row in drawn],
        tooltip=[
            alt.Tooltip("driver:N", title="Driver"),
            alt.Tooltip("relative_risk:Q", title="Relative risk", format=".2f"),
            alt.Tooltip("relative_risk_ci_low:Q", title="95% interval from", format=".2f"),
            alt.Tooltip("relative_risk_ci_high:Q", title="95% interval to", format=".2f"),
            alt.Tooltip("lapse_rate_exposed:Q", title="Lapse rate, exposed", format=".1%"),
            alt.Tooltip("lapse_rate_not_exposed:Q", title="Lapse rate, not exposed", format=".1%"),
            alt.Tooltip("customers_exposed:Q", title="Exposed", format=","),
            alt.Tooltip("customers_not_exposed:Q", title="Not exposed", format=","),
            alt.Tooltip(f"{SMALL_FIELD}:N", title=charts.SMALL_TITLE),
        ],
    )
    return _with(
        section,
        marts,
        n=f"{_count(first['customers'])} customers in the cohort",
        period=period,
        charts=(Chart("Relative risk of lapsing, 95% intervals", spec),),
        notes=notes,
    )


def channel_mix(marts: PublishedMarts) -> Section:
    names = ("mart_channel_mix",)
    section = Section(
        "channel-mix",
        "Channel mix: conversion by channel groups used",
        "Customers read over the 90 days from their first touchpoint: conversion (a first"
        " purchase in the window) by the number of channel groups used before the first"
        " purchase, with the Wilson 95% interval.",
        names,
    )
    if reason := _missing(marts, names):
        return _no_data(section, reason)
    mix = marts.rows(
        "select channel_groups_used::varchar as channel_groups_used, customers,"
        " converted_customers, conversion_rate, conversion_rate_n, conversion_rate_ci_low,"
        " conversion_rate_ci_high, conversion_rate_is_small_sample"
        " from marts.mart_channel_mix order by mart_channel_mix.channel_groups_used"
    )
    spec = charts.points_with_intervals(
        _flag(mix, "conversion_rate_is_small_sample"),
        category="channel_groups_used",
        category_title="Channel groups used",
        y="conversion_rate",
        low="conversion_rate_ci_low",
        high="conversion_rate_ci_high",
        y_title="Conversion rate (90 days)",
        sort=[row["channel_groups_used"] for row in mix],
        y_scale=RATE_SCALE,
        tooltip=[
            alt.Tooltip("channel_groups_used:N", title="Groups used"),
            *_rate_tooltip("conversion_rate", "Conversion rate"),
        ],
    )
    return _with(
        section,
        marts,
        n=f"{_count(sum(row['customers'] for row in mix))} customers observed 90 days",
        period=_touchpoint_period(marts),
        charts=(Chart("Conversion by channel groups used, 95% intervals", spec),),
    )


def channel_transitions(marts: PublishedMarts) -> Section:
    names = ("mart_channel_transitions",)
    section = Section(
        "channel-transitions",
        "Channel transitions: where customers go next",
        "Of the customers who ever left a channel group (row), the share who moved next to"
        " each other group (column), Wilson 95% interval in the tooltip; a customer may"
        " make several moves from one group, so a row may add up to more than 100%.",
        names,
    )
    if reason := _missing(marts, names):
        return _no_data(section, reason)
    moves = marts.rows(
        "select from_channel_group, to_channel_group, customers, transitions, customer_share,"
        " customer_share_n, customer_share_ci_low, customer_share_ci_high,"
        " customer_share_is_small_sample from marts.mart_channel_transitions"
        " order by from_channel_group, to_channel_group"
    )
    spec = charts.heatmap(
        _flag(moves, "customer_share_is_small_sample"),
        x="to_channel_group",
        x_title="To channel group",
        y="from_channel_group",
        y_title="From channel group",
        value="customer_share",
        value_title="Customer share",
        tooltip=[
            alt.Tooltip("from_channel_group:N", title="From"),
            alt.Tooltip("to_channel_group:N", title="To"),
            alt.Tooltip("customers:Q", title="Customers", format=","),
            alt.Tooltip("transitions:Q", title="Transitions", format=","),
            *_rate_tooltip("customer_share", "Customer share"),
        ],
    )
    leavers = {row["from_channel_group"]: row["customer_share_n"] for row in moves}
    return _with(
        section,
        marts,
        n=f"customers who left a group: {_count(min(leavers.values()))} to"
        f" {_count(max(leavers.values()))} per group"
        f" ({len(leavers)} group{'s' if len(leavers) > 1 else ''})",
        period=_touchpoint_period(marts),
        charts=(
            Chart("Share of those who left the row's group who moved next to the column's", spec),
        ),
    )


def _no_data(section: Section, reason: str) -> Section:
    return Section(**{**section.__dict__, "no_data": reason})


def _with(section: Section, marts: PublishedMarts, **values: Any) -> Section:
    descriptions = {name: marts.description(name) for name in section.marts}
    return Section(**{**section.__dict__, **values, "mart_descriptions": descriptions})


SECTIONS: tuple[Callable[[PublishedMarts], Section], ...] = (
    nps_monthly,
    nps_drivers,
    journey,
    cohort_retention,
    customer_value,
    support_times,
    support_one_touch,
    themes,
    experience_value,
    stage_experience,
    team_csat,
    churn_drivers,
    channel_mix,
    channel_transitions,
)
