"""Channel groups and the channel marts on generated data: the planted effects are found.

The generator makes engaged visitors come through more channels before they
sign up and buy more often, and lands most ad clicks on the website. Built
from 4,000 generated customers (not the committed sample's exact numbers), the
marts must show conversion rising with the channel groups used, with
intervals that exclude no difference, and paid -> web as the main move out of
paid. A channel the seed lacks must fail the build, be named, and fail the gate.
"""

from __future__ import annotations

import subprocess

import pytest
from scipy.stats import binomtest

from conftest import DBT, REPO, Build, build_env, build_generated, copy_build

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def channels_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return build_generated(
        tmp_path_factory.mktemp("channels"), 4000, 3, "+mart_channel_mix",
        "+mart_channel_transitions",
    )  # fmt: skip


def _mix(build: Build) -> dict[int, tuple]:
    rows = build.query(
        "select channel_groups_used, customers, converted_customers, conversion_rate,"
        " conversion_rate_ci_low, conversion_rate_ci_high, revenue_per_customer_usd,"
        " revenue_per_customer_usd_n, revenue_per_customer_usd_ci_low,"
        " revenue_per_customer_usd_ci_high from marts.mart_channel_mix"
    )
    return {row[0]: row[1:] for row in rows}


def test_customers_using_more_channel_groups_convert_more(channels_build):
    mix = _mix(channels_build)
    rates = [mix[groups][2] for groups in (1, 2, 3, 4)]
    assert rates == sorted(rates), rates
    # 4 groups against 1: the intervals do not overlap, so "no difference" is excluded.
    assert mix[4][3] > mix[1][4], (mix[1], mix[4])
    # A customer whose first touchpoint was the purchase used no group and converted.
    assert mix[0][0] == mix[0][1]


def test_every_observed_customer_is_in_one_row(channels_build):
    """Customers whose 90 days from the first touchpoint end by the data's last one."""
    (expected,) = channels_build.query(
        """
        with ends as (select max(occurred_at) as observed_until from marts.fct_touchpoints)
        select count(*) from (
            select customer_id, min(occurred_at) as started_at
            from marts.fct_touchpoints where customer_id is not null group by 1
        ) cross join ends
        where started_at + interval 90 days <= observed_until
        """
    )[0]
    assert sum(row[0] for row in _mix(channels_build).values()) == expected


def test_channel_mix_intervals_and_revenue_agree_with_an_independent_count(channels_build):
    mix = _mix(channels_build)
    for groups, row in mix.items():
        customers, converted, rate, low, high, mean, n, mean_low, mean_high = row
        wilson = binomtest(converted, customers).proportion_ci(0.95, method="wilson")
        assert rate == pytest.approx(converted / customers, rel=1e-12), groups
        assert (low, high) == pytest.approx((wilson.low, wilson.high), abs=1e-9), groups
        # The mean is over every customer of the row, buyers or not.
        assert n == customers, groups
        if n < 2:
            assert mean_low is None and mean_high is None, groups
        else:
            assert mean_low <= mean <= mean_high, groups
    # Revenue in the 90 days from each observed customer's first touchpoint, summed
    # here without the mart: it equals the sum over rows of mean * customers.
    (expected,) = channels_build.query(
        """
        with ends as (select max(occurred_at) as observed_until from marts.fct_touchpoints),
        starts as (
            select customer_id, min(occurred_at) as started_at
            from marts.fct_touchpoints where customer_id is not null group by 1
        ),
        observed as (
            select starts.* from starts cross join ends
            where starts.started_at + interval 90 days <= ends.observed_until
        )
        select sum(orders.amount_usd)::double
        from observed
        inner join marts.fct_touchpoints as purchases
            on purchases.customer_id = observed.customer_id
            and purchases.touchpoint_type = 'purchase'
            and purchases.occurred_at < observed.started_at + interval 90 days
        inner join intermediate.int_orders_converted as orders
            on purchases.source_record_id = orders.order_id
        """
    )[0]
    assert sum(row[5] * row[6] for row in mix.values()) == pytest.approx(expected, rel=1e-9)


def test_paid_visitors_mostly_move_to_the_website(channels_build):
    moves = {
        to_group: (low, high)
        for to_group, low, high in channels_build.query(
            "select to_channel_group, customer_share_ci_low, customer_share_ci_high"
            " from marts.mart_channel_transitions where from_channel_group = 'paid'"
        )
    }
    web_low, _ = moves.pop("web")
    # Most customers who leave paid go to the website, and more than to any other group.
    assert web_low > 0.5, web_low
    assert all(web_low > high for _, high in moves.values()), moves


def test_a_channel_missing_from_the_seed_fails_the_build_and_is_named(channels_build, tmp_path):
    broken = copy_build(
        channels_build,
        tmp_path / "broken.duckdb",
        "delete from lookups.channel_groups where source_system = 'survey' and channel = 'qr'",
    )
    env = build_env(tmp_path, channels_build.database.parent / "extracts", CX_BUILD_DB=str(broken))
    proc = subprocess.run(
        [
            str(DBT),
            "test",
            "--select",
            "assert_every_touchpoint_channel_has_a_group",
            "assert_every_contract_channel_has_a_group",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout
    assert "Channel 'qr' of source system 'survey'" in proc.stdout
    assert "FAIL 1 assert_every_touchpoint_channel_has_a_group" in proc.stdout
    assert "FAIL 1 assert_every_contract_channel_has_a_group" in proc.stdout
    unmapped = Build(0, "", broken).query(
        "select source_system, channel from audit.unmapped_touchpoint_channels"
    )
    assert unmapped == [("survey", "qr")]
    # The touchpoints stay, marked, rather than dropped or guessed.
    (kept,) = Build(0, "", broken).query(
        "select count(*) from marts.fct_touchpoints where channel_group = 'unmapped'"
    )[0]
    assert kept > 0
