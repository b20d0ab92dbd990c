"""The gate's checks that span tables, as SQL over the build database.

Reconciliations (counts that must agree between marts and staging) and
freshness (the marts are as fresh as the extracts, nothing is in the future).
Reconciliations that a dbt singular test already checks are not repeated here:
every raw line accounted for (tests/audit/), ticket and response touchpoints
key for key, the purchase stage against the value mart (tests/marts/journey/).
Each query returns a small table that the runner validates with GX like a mart,
so these checks appear in the same report and Data Docs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

# One row per check: its name, the value expected and the value found.
RECONCILIATIONS = """
with
valid_nps as (
    select count(*) as n from marts.fct_survey_responses where nps_score is not null
),
nps_monthly as (
    select coalesce(sum(responses), 0) as n from marts.mart_nps_monthly where segment = 'all'
),
driver_responses as (
    select count(*) as n from marts.fct_survey_responses
    where nps_score is not null and customer_id is not null
),
journeys as (select count(distinct customer_id) as n from marts.fct_customer_journeys),
touched as (
    select count(distinct customer_id) as n from marts.fct_touchpoints
    where customer_id is not null
),
staged_activities as (select count(*) as n from staging.stg_crm__activities),
activity_touchpoints as (
    select count(*) as n from marts.fct_touchpoints where touchpoint_id like 'crm_activity:%'
),
staged_orders as (
    select count(*) as n from staging.stg_crm__orders where is_touchpoint
),
order_touchpoints as (
    select count(*) as n from marts.fct_touchpoints where touchpoint_id like 'crm_order:%'
),
staged_purchases as (select count(*) as n from staging.stg_crm__orders where is_completed),
purchase_touchpoints as (
    select count(*) as n from marts.fct_touchpoints where touchpoint_type = 'purchase'
),
staged_reviews as (select count(*) as n from staging.stg_reviews__reviews),
review_touchpoints as (
    select count(*) as n from marts.fct_touchpoints where touchpoint_id like 'review:%'
),
staged_tickets as (select count(*) as n from staging.stg_support__tickets),
ticket_facts as (select count(*) as n from marts.fct_support_tickets),
real_responses as (
    select count(*) as n from staging.stg_survey__responses where is_real_response
),
accounted_responses as (
    select
        (select count(*) from marts.fct_survey_responses)
        + (select coalesce(sum(responses), 0) from marts.mart_survey_exclusions
           where reason not in ('not_a_real_response') and reason not like 'quarantined:%') as n
),
completed_orders as (
    select count(*) as n from staging.stg_crm__orders as orders
    inner join staging.stg_crm__contacts as contacts using (contact_id)
    where orders.is_completed and not contacts.is_deleted
      and orders.ordered_at::date <= (
          select coalesce(max(observation_end), date '9999-12-31') from marts.fct_customer_value
      )
),
value_orders as (select coalesce(sum(orders), 0) as n from marts.fct_customer_value),
response_facts as (select count(*) as n from marts.fct_survey_responses)
select 'nps responses in mart_nps_monthly (all) = valid NPS responses' as check_name,
       (select n from valid_nps) as expected, (select n from nps_monthly) as actual
union all select 'every identified NPS response is in mart_nps_drivers',
       (select n from driver_responses), (select count(*) from marts.mart_nps_drivers)
union all select 'every customer with a touchpoint has a journey',
       (select n from touched), (select n from journeys)
union all select 'every staged activity is a touchpoint',
       (select n from staged_activities), (select n from activity_touchpoints)
union all select 'every non-cancelled order is a touchpoint',
       (select n from staged_orders), (select n from order_touchpoints)
union all select 'every completed order, and nothing else, is a purchase touchpoint',
       (select n from staged_purchases), (select n from purchase_touchpoints)
union all select 'every staged review is a touchpoint',
       (select n from staged_reviews), (select n from review_touchpoints)
union all select 'mart_reviews_monthly counts every review of fct_reviews once',
       (select count(*) from marts.fct_reviews),
       (select coalesce(sum(reviews), 0) from marts.mart_reviews_monthly)
union all select 'every staged ticket is in fct_support_tickets',
       (select n from staged_tickets), (select n from ticket_facts)
union all select 'every real staged response is valid or excluded with a reason',
       (select n from real_responses), (select n from accounted_responses)
union all select 'every completed order of a live customer is in fct_customer_value',
       (select n from completed_orders), (select n from value_orders)
union all select 'every valid response is in exactly one row of mart_stage_experience',
       (select n from response_facts),
       (select coalesce(sum(responses), 0) from marts.mart_stage_experience)
union all select 'every ticket is in exactly one row of mart_stage_experience',
       (select n from ticket_facts),
       (select coalesce(sum(tickets), 0) from marts.mart_stage_experience)
union all select 'mart_agent_performance counts every ticket assigned to an agent or admin',
       (select count(*) from marts.fct_support_tickets
        where assignee_id in (select agent_id from marts.dim_agents)),
       (select coalesce(sum(tickets_assigned), 0) from marts.mart_agent_performance)
union all select 'mart_team_performance counts the tickets of mart_agent_performance',
       (select coalesce(sum(tickets_assigned), 0) from marts.mart_agent_performance),
       (select coalesce(sum(tickets_assigned), 0) from marts.mart_team_performance)
"""

# One row: the latest timestamp in the extracts and in the marts.
FRESHNESS = """
with extracts as (
    select max(occurred_at) as latest from staging.stg_crm__activities
    union all select max(ordered_at) from staging.stg_crm__orders where is_touchpoint
    union all select max(created_at) from staging.stg_support__tickets
)
select
    (select max(latest) from extracts) as latest_in_extracts,
    (select max(occurred_at) from marts.fct_touchpoints) as latest_in_marts
"""


def freshness_expectations(latest_in_extracts: dt.datetime | None, now: dt.datetime) -> list[Any]:
    """What FRESHNESS's one row must hold, given the extracts' latest timestamp."""
    import great_expectations as gx

    e = gx.expectations
    checks = [
        e.ExpectColumnValuesToBeBetween(column="latest_in_marts", max_value=now),
        e.ExpectColumnValuesToBeBetween(column="latest_in_extracts", max_value=now),
    ]
    if latest_in_extracts is not None:
        # The marts are as fresh as the extracts: their latest touchpoint is the extracts' latest
        # activity, order that was not cancelled, or ticket.
        checks.append(
            e.ExpectColumnValuesToBeBetween(column="latest_in_marts", min_value=latest_in_extracts)
        )
    return checks
