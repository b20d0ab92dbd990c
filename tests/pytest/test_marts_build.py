"""The CX marts on the hand-made extracts (tests/pytest/extracts/tiny), value by value."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import Build

pytestmark = pytest.mark.build


def test_touchpoints_cover_every_system_and_credit_anonymous_visits(tiny_build: Build):
    rows = tiny_build.query(
        "select touchpoint_id, customer_id, touchpoint_type, journey_stage, customer_link_rule"
        " from marts.fct_touchpoints order by occurred_at, touchpoint_id"
    )
    assert rows == [
        # The ad click came from a device identified as C001 a day later.
        ("crm_activity:A1", "C001", "ad_click", "awareness", "anonymous_identify"),
        ("crm_activity:A2", "C001", "web_visit", "consideration", "crm_contact_id"),
        ("crm_activity:A3", "C001", "email_open", "consideration", "crm_contact_id"),
        ("crm_order:O1", "C001", "purchase", "purchase", "crm_contact_id"),
        ("support_ticket:500", "C001", "support_ticket", "service", "support_external_id"),
        ("support_reply:3", "C001", "support_reply", "service", "support_external_id"),
        # Refunded: not a purchase, but still a touch (after the first purchase: loyalty).
        ("crm_order:O2", "C001", "refunded_order", "loyalty", "crm_contact_id"),
        # Nobody to credit: the ordering contact is not in the extract.
        ("crm_order:O3", None, "purchase", "purchase", None),
        ("support_ticket:501", "C001", "support_ticket", "service", "support_external_id"),
        # Reviews: RV1 references O3, whose contact is not in the extract; RV2 is
        # anonymous. Touchpoints, without a customer.
        ("review:RV1", None, "public_review", "loyalty", None),
        ("review:RV2", None, "public_review", "loyalty", None),
        ("survey_response:R_aaaaaaaaaaaaaaa", "C001", "survey_response", "service",
         "survey_contact_ref"),
    ]  # fmt: skip


def test_journey_and_funnel(tiny_build: Build):
    assert tiny_build.query(
        "select journey_stage, entered_at, exited_at, touchpoints_in_stage"
        " from marts.fct_customer_journeys order by entered_at"
    ) == [
        ("awareness", dt.datetime(2025, 1, 9, 10), dt.datetime(2025, 1, 10, 14), 1),
        ("consideration", dt.datetime(2025, 1, 10, 14), dt.datetime(2025, 2, 1, 15), 2),
        ("purchase", dt.datetime(2025, 2, 1, 15), dt.datetime(2025, 2, 2, 10), 1),
        ("service", dt.datetime(2025, 2, 2, 10), dt.datetime(2025, 2, 3, 10), 4),
        ("loyalty", dt.datetime(2025, 2, 3, 10), None, 1),
    ]
    # One customer, every stage in order: each conversion is 1 of 1. Wilson 95% for 1 of 1,
    # z = 1.959964, z^2 = 3.841459: centre (1 + z^2/2) / (1 + z^2) = 2.920729 / 4.841459
    # = 0.603275, half-width z * sqrt(z^2/4) / (1 + z^2) = 1.920729 / 4.841459 = 0.396725,
    # so [0.206549, 1].
    funnel = tiny_build.query(
        "select journey_stage, customers_ever_reached, customers_reached_in_order,"
        " conversion_from_previous, conversion_from_previous_n, conversion_from_previous_ci_low,"
        " conversion_from_previous_ci_high, conversion_from_previous_is_small_sample"
        " from marts.mart_journey_funnel order by stage_order"
    )
    assert funnel[0] == ("awareness", 1, 1, None, None, None, None, True)  # no rate: small
    stages = ["consideration", "purchase", "service", "loyalty"]
    for stage, row in zip(stages, funnel[1:], strict=True):
        assert row[:3] == (stage, 1, 1) and row[4] == 1
        assert row[3] == pytest.approx(1.0, abs=1e-9)
        assert row[5] == pytest.approx(0.206549, abs=1e-6)
        assert row[6] == pytest.approx(1.0, abs=1e-9)
        assert row[7] is True
    # Paths of 0 to 3 steps, every one C001's (who bought after ad_click, web_visit, email_open).
    assert tiny_build.query(
        "select path_level, path, steps, customers, purchasers, purchasers_without_another_step"
        " from marts.mart_journey_paths order by path_level, steps"
    ) == [
        ("journey_stage", "(start)", 0, 1, 1, 0),
        ("journey_stage", "awareness", 1, 1, 1, 0),
        ("journey_stage", "awareness > consideration", 2, 1, 1, 1),
        ("touchpoint_type", "(start)", 0, 1, 1, 0),
        ("touchpoint_type", "ad_click", 1, 1, 1, 0),
        ("touchpoint_type", "ad_click > web_visit", 2, 1, 1, 0),
        ("touchpoint_type", "ad_click > web_visit > email_open", 3, 1, 1, 1),
    ]


def test_support_ticket_measures(tiny_build: Build):
    assert tiny_build.query(
        "select ticket_id, customer_id, first_reply_minutes, full_resolution_minutes, reopens,"
        " is_one_touch, satisfaction_rating from marts.fct_support_tickets order by ticket_id"
    ) == [
        (500, "C001", 30.0, 1440.0, 0, True, "good"),
        (501, "C001", None, None, 0, False, "unoffered"),
    ]
    # One month of tickets: it is partial (the data ends inside it). One ticket
    # rated good, none bad: helpdesk_csat 1/1, a small sample.
    assert tiny_build.query(
        "select month, channel, is_partial_period, tickets, helpdesk_csat, helpdesk_csat_n,"
        " helpdesk_csat_is_small_sample from marts.mart_support_monthly where channel = 'all'"
    ) == [(dt.date(2025, 2, 1), "all", True, 2, 1.0, 1, True)]
    # every channel has its row in the month, with or without tickets
    assert tiny_build.query("select count(*) from marts.mart_support_monthly") == [(6,)]


def test_survey_response_nps_sentiment_and_themes(tiny_build: Build):
    assert tiny_build.query(
        "select response_id, customer_id, response_month, nps_score, nps_category,"
        " comment_sentiment_label, comment_themes from marts.fct_survey_responses"
    ) == [
        (
            "R_aaaaaaaaaaaaaaa",
            "C001",
            dt.date(2025, 4, 1),  # ended 1 April 00:05 at -02:00: 02:05 UTC
            9,
            "promoter",
            "positive",
            ["delivery"],
        )
    ]
    # One promoter of one: NPS 100 and the adjusted-Wald SE 37.5
    # (n' = 4, p' = 1.75 / 4, d' = 0.75 / 4: 100 sqrt((0.625 - 0.0625) / 4)), not 0.
    rows = tiny_build.query(
        "select month, segment, survey_type, is_partial_period, responses, nps, nps_std_error,"
        " is_small_sample from marts.mart_nps_monthly where responses > 0 order by segment"
    )
    assert [row[:6] + row[7:] for row in rows] == [
        (dt.date(2025, 4, 1), "all", "relationship_nps", True, 1, 100.0, True),
        (dt.date(2025, 4, 1), "consumer", "relationship_nps", True, 1, 100.0, True),
    ]
    assert [row[6] for row in rows] == pytest.approx([37.5, 37.5])
    # the dense grid: 1 month x 5 segments x 2 NPS survey types, empty cells null
    assert tiny_build.query(
        "select count(*), count(*) filter (where responses = 0 and nps is null)"
        " from marts.mart_nps_monthly"
    ) == [(10, 8)]


def test_no_mart_column_is_a_hugeint(tiny_build: Build):
    """BI drivers read a HUGEINT as text or fail: integers in a mart are BIGINT."""
    types = tiny_build.query(
        "select table_name, column_name, data_type from information_schema.columns"
        " where table_schema = 'marts'"
    )
    assert len({table for table, _, _ in types}) >= 16
    assert [t for t in types if t[2] in ("HUGEINT", "UHUGEINT")] == []
    assert ("mart_nps_drivers", "reopens_30d", "BIGINT") in types


def test_every_excluded_response_is_counted_with_its_reason(tiny_build: Build):
    assert sorted(tiny_build.query("select * from marts.mart_survey_exclusions")) == [
        ("csat", "quarantined: malformed_value response_id", 1),
        ("csat", "quarantined: unknown_value language", 1),
        ("relationship_nps", "not_a_real_response", 1),
        ("relationship_nps", "quarantined: not_an_integer nps_score", 1),
        ("relationship_nps", "quarantined: out_of_range nps_score", 1),
    ]


def test_deleted_contacts_never_reach_a_mart(tiny_build: Build):
    assert tiny_build.query(
        "select customer_id, current_journey_stage, latest_nps_category from marts.dim_customers"
    ) == [("C001", "service", "promoter")]
    for mart in ("fct_touchpoints", "fct_customer_journeys", "fct_support_tickets",
                 "fct_survey_responses", "fct_customer_value"):  # fmt: skip
        assert tiny_build.query(
            f"select count(*) from marts.{mart} where customer_id = 'C002'"
        ) == [(0,)], mart


def test_the_two_csat_measures_cannot_be_confused(tiny_build: Build):
    """Help-desk good/(good+bad) and the survey share of 4-5 are different measures."""
    columns = tiny_build.query(
        "select table_name, column_name from information_schema.columns"
        " where table_schema = 'marts' and column_name like '%csat%'"
        " and column_name not like 'csat\\_%' escape '\\'"
    )
    names = {column for _, column in columns}
    assert "csat" not in names
    assert ("mart_support_monthly", "helpdesk_csat") in columns
    assert ("mart_csat_ces_monthly", "survey_csat_share") in columns
