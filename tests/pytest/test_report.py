"""The run report: per-extract counts and the quarantine listing must agree."""

from __future__ import annotations

from cx.report import ExtractCounts, RunReport, format_report


def _report(quarantined_lines: dict[str, int]) -> RunReport:
    return RunReport(
        extracts=[
            ExtractCounts("crm/orders", 10, 3, 6, 1),
            ExtractCounts("survey/surveys", 2, 2, 0, 0),
        ],
        quarantined=[
            ("crm/orders", "amount", "not_a_decimal", 2),
            ("crm/orders", "order_id", "conflicting_duplicate", 2),
            ("crm/orders", "amount", "too_many_decimals", 1),
            ("crm/orders", "ordered_at", "unparseable_timestamp", 1),
        ],
        quarantined_lines=quarantined_lines,
    )


def test_a_report_whose_counts_agree_with_the_quarantine_says_nothing_more():
    report = _report({"crm/orders": 6})
    assert report.unreconciled() == []
    text = format_report(report)
    assert "NOT RECONCILED" not in text
    assert "  crm/orders             10          3           6           1" in text
    assert "  crm/orders     order_id               conflicting_duplicate" in text


def test_a_quarantined_line_the_counts_miss_is_reported_not_hidden():
    # The counts say 0 quarantined surveys, the quarantine holds one survey line.
    report = _report({"crm/orders": 6, "survey/surveys": 1})
    assert report.unreconciled() == [("survey/surveys", 0, 1)]
    assert (
        "NOT RECONCILED: survey/surveys counts 0 quarantined lines"
        " but audit.quarantined_rows holds 1" in format_report(report)
    )


def test_an_extract_missing_from_the_counts_is_reported():
    report = _report({"crm/orders": 6, "support/users": 2})
    assert report.unreconciled() == [("support/users", 0, 2)]
