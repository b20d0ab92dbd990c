"""The CX marts on the hand-made extracts (tests/pytest/extracts/tiny), value by value."""

from __future__ import annotations

import datetime as dt

from conftest import Build


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
        ("crm_order:O2", "C001", "purchase", "loyalty", "crm_contact_id"),
        # Nobody to credit: the ordering contact is not in the extract.
        ("crm_order:O3", None, "purchase", "purchase", None),
        ("support_ticket:501", "C001", "support_ticket", "service", "support_external_id"),
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
    assert tiny_build.query(
        "select journey_stage, customers_reached, conversion_from_previous"
        " from marts.mart_journey_funnel order by stage_order"
    ) == [
        ("awareness", 1, None),
        ("consideration", 1, 1.0),
        ("purchase", 1, 1.0),
        ("service", 1, 1.0),
        ("loyalty", 1, 1.0),
    ]
    assert tiny_build.query(
        "select path_level, path, customers, purchasers from marts.mart_journey_paths order by 1"
    ) == [
        ("journey_stage", "awareness > consideration", 1, 1),
        ("touchpoint_type", "ad_click > web_visit > email_open", 1, 1),
    ]


def test_support_ticket_measures(tiny_build: Build):
    assert tiny_build.query(
        "select ticket_id, customer_id, first_reply_minutes, full_resolution_minutes, reopens,"
        " is_one_touch, satisfaction_rating from marts.fct_support_tickets order by ticket_id"
    ) == [
        (500, "C001", 30.0, 1440.0, 0, True, "good"),
        (501, "C001", None, None, 0, False, "unoffered"),
    ]
    assert tiny_build.query(
        "select month, channel, tickets, csat from marts.mart_support_monthly where channel = 'all'"
    ) == [(dt.date(2025, 2, 1), "all", 2, 1.0)]


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
    assert tiny_build.query(
        "select month, segment, responses, nps, nps_std_error from marts.mart_nps_monthly"
        " order by segment"
    ) == [
        (dt.date(2025, 4, 1), "all", 1, 100.0, 0.0),
        (dt.date(2025, 4, 1), "consumer", 1, 100.0, 0.0),
    ]


def test_every_excluded_response_is_counted_with_its_reason(tiny_build: Build):
    assert sorted(tiny_build.query("select * from marts.mart_survey_exclusions")) == [
        ("csat", "quarantined: malformed_value response_id", 1),
        ("csat", "quarantined: unknown_value language", 1),
        ("relationship_nps", "not_a_real_response", 1),
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
