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


def test_malformed_lines_are_shown_and_reconciled_with_the_quarantine():
    report = RunReport(
        extracts=[ExtractCounts("crm/contacts", 161, 152, 7, 2, rows_malformed=1)],
        quarantined=[("crm/contacts", "_line", "malformed_csv_line", 1)],
        quarantined_lines={"crm/contacts": 7},
        malformed_lines={"crm/contacts": 1},
    )
    assert report.unreconciled_malformed() == [] and report.unbalanced() == []
    text = format_report(report)
    assert "(malformed)" in text
    assert "  crm/contacts        161        152           7           2           1" in text
    assert "NOT RECONCILED" not in text

    # The counts say one malformed line; the quarantine holds none as malformed.
    missing = RunReport(report.extracts, [], {"crm/contacts": 7}, {})
    assert missing.unreconciled_malformed() == [("crm/contacts", 1, 0)]
    assert (
        "NOT RECONCILED: crm/contacts counts 1 malformed lines but audit.quarantined_rows"
        " holds 0" in format_report(missing)
    )


def test_lines_read_but_not_accounted_for_are_reported():
    # 161 read, 152 + 6 + 2 = 160 accounted for: one line lost.
    report = RunReport([ExtractCounts("crm/contacts", 161, 152, 6, 2)], [], {"crm/contacts": 6})
    assert report.unbalanced() == [("crm/contacts", 161, 160)]
    assert (
        "NOT RECONCILED: crm/contacts read 161 lines but staged, quarantined and superseded 160"
        in format_report(report)
    )
