"""The agent, team and stage marts find the effects the generator plants.

Generated customers (not the committed sample's exact numbers): the agents of
team `orders` (seeds/lookups/agent_teams.csv; the generator's SKILLED_AGENTS)
reply faster and are rated good more often; answers about a support contact
(the service stage) are less easy than answers about checkout (the purchase
stage). Each effect must show in the published columns with its interval
excluding no effect.
"""

from __future__ import annotations

import csv

import pytest
from scipy.stats import binomtest, mannwhitneyu

from conftest import REPO, Build, build_generated
from cx.generator import ADMINS, AGENTS, SKILLED_AGENTS

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return build_generated(
        tmp_path_factory.mktemp("agents-stages"), 5000, 11, "+dim_agents",
        "+mart_agent_performance", "+mart_team_performance", "+mart_stage_experience",
    )  # fmt: skip


def _wilson(successes: int, trials: int) -> tuple[float, float]:
    interval = binomtest(successes, trials).proportion_ci(confidence_level=0.95, method="wilson")
    return interval.low, interval.high


def test_the_seed_puts_the_planted_agents_in_one_team_and_keeps_the_rest():
    with (REPO / "seeds" / "lookups" / "agent_teams.csv").open(encoding="utf-8") as lines:
        teams = {int(row["agent_id"]): row["team"] for row in csv.DictReader(lines)}
    assert {teams[agent] for agent in SKILLED_AGENTS} == {"orders"}
    assert {agent for agent, team in teams.items() if team == "orders"} == set(SKILLED_AGENTS)


def test_every_agent_and_admin_is_in_dim_agents_those_without_a_team_unassigned(generated):
    rows = generated.query("select agent_id, team, has_team from marts.dim_agents")
    assert len(rows) == AGENTS + ADMINS
    with (REPO / "seeds" / "lookups" / "agent_teams.csv").open(encoding="utf-8") as lines:
        in_seed = {int(row["agent_id"]) for row in csv.DictReader(lines)}
    unassigned = {agent for agent, team, _ in rows if team == "unassigned"}
    assert unassigned == {agent for agent, _, _ in rows} - in_seed
    assert unassigned  # agents 23, 24 and both admins
    assert all(has_team == (team != "unassigned") for _, team, has_team in rows)


def test_the_planted_team_is_rated_good_more_often_interval_apart(generated):
    """Help-desk CSAT counts add up over months: the planted team's Wilson interval lies
    wholly above the other teams' pooled interval."""
    counts = dict(
        (team, (good, rated))
        for team, good, rated in generated.query(
            "select team = 'orders', sum(good_ratings)::bigint,"
            " sum(good_ratings + bad_ratings)::bigint"
            " from marts.mart_team_performance group by all"
        )
    )
    planted_low, _ = _wilson(*counts[True])
    _, others_high = _wilson(*counts[False])
    assert counts[True][1] >= 100 and counts[False][1] >= 100
    assert planted_low > others_high, counts
    # The agents' rows hold the same ratings as the teams'.
    (agent_good,) = generated.query(
        "select sum(good_ratings)::bigint from marts.mart_agent_performance where team = 'orders'"
    )[0]
    assert agent_good == counts[True][0]


def test_the_planted_team_replies_faster(generated):
    """First replies of the planted team's tickets are shorter (one-sided Mann-Whitney), and
    the mart's monthly medians show it in most whole months."""
    replies = generated.query(
        "select dim_agents.team = 'orders', tickets.first_reply_minutes"
        " from marts.fct_support_tickets as tickets"
        " inner join marts.dim_agents on tickets.assignee_id = dim_agents.agent_id"
        " where tickets.first_reply_minutes is not null"
    )
    planted = [minutes for is_planted, minutes in replies if is_planted]
    others = [minutes for is_planted, minutes in replies if not is_planted]
    assert mannwhitneyu(planted, others, alternative="less").pvalue < 1e-6
    months = generated.query(
        "select month, bool_and(planted.median_first_reply_minutes"
        "  < other.median_first_reply_minutes)"
        " from marts.mart_team_performance as planted"
        " inner join marts.mart_team_performance as other using (month)"
        " where planted.team = 'orders' and other.team != 'orders'"
        "  and not planted.is_partial_period and planted.tickets_assigned >= 10"
        "  and other.tickets_assigned >= 10"
        " group by month"
    )
    assert len(months) >= 5
    assert sum(faster for _, faster in months) >= 0.8 * len(months), months


def test_the_service_stage_is_less_easy_than_checkout_interval_apart(generated):
    """CES counts add up over months: service's easy share (5-7) has its Wilson interval
    wholly below purchase's, and its mean CES is lower."""
    rows = {
        stage: (easy, answered, mean)
        for stage, easy, answered, mean in generated.query(
            "select journey_stage, sum(ces_easy)::bigint, sum(ces_mean_n)::bigint,"
            " sum(ces_mean * ces_mean_n) / sum(ces_mean_n)"
            " from marts.mart_stage_experience where journey_stage in ('purchase', 'service')"
            " group by all"
        )
    }
    _, service_high = _wilson(*rows["service"][:2])
    purchase_low, _ = _wilson(*rows["purchase"][:2])
    assert rows["service"][1] >= 100 and rows["purchase"][1] >= 100
    assert service_high < purchase_low, rows
    assert rows["service"][2] < rows["purchase"][2] - 0.5, rows


def test_every_response_and_ticket_is_in_one_stage_row_the_unplaced_under_unknown(generated):
    responses, tickets, unlinked_relationship = generated.query(
        "select (select count(*) from marts.fct_survey_responses),"
        " (select count(*) from marts.fct_support_tickets),"
        " (select count(*) from marts.fct_survey_responses"
        "  where survey_trigger = 'quarterly' and customer_id is null)"
    )[0]
    placed, unknown, placed_tickets, stages = generated.query(
        "select sum(responses)::bigint,"
        " sum(responses) filter (where journey_stage = 'unknown')::bigint,"
        " sum(tickets)::bigint,"
        " count(distinct journey_stage) filter (where responses > 0)"
        " from marts.mart_stage_experience"
    )[0]
    assert (placed, placed_tickets) == (responses, tickets)
    # Relationship responses nobody could be identified for have no stage; a few more have
    # no touchpoint before them. Everything else has one.
    assert unlinked_relationship <= unknown < unlinked_relationship + 0.01 * responses
    assert stages == 6  # the five stages and `unknown`


def test_every_ticket_with_an_agent_counts_once_for_its_agent_and_team(generated):
    """The mart counts every ticket assigned to an agent or admin, once."""
    assigned, in_mart, in_teams = generated.query(
        "select (select count(*) from marts.fct_support_tickets where assignee_id in"
        "  (select agent_id from marts.dim_agents)),"
        " (select sum(tickets_assigned)::bigint from marts.mart_agent_performance),"
        " (select sum(tickets_assigned)::bigint from marts.mart_team_performance)"
    )[0]
    assert assigned == in_mart == in_teams > 0
