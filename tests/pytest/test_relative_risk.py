"""The relative-risk macro (macros/metrics/relative_risk.sql), compiled by dbt and run by
DuckDB on hand-made counts: the log-method interval against values computed by hand, and
an honest status wherever the log method has no answer."""

from __future__ import annotations

import math

import duckdb
import pytest

from conftest import compile_inline

pytestmark = pytest.mark.build

INLINE = "select case_name, {{ relative_risk_columns('rr', 'a', 'n1', 'c', 'n0') }} from cases"
CASES = {
    # name: (lapsed exposed a, exposed n1, lapsed unexposed c, unexposed n0)
    "two_of_three_vs_one_of_three": (2, 3, 1, 3),
    "one_of_one_vs_two_of_five": (1, 1, 2, 5),
    "no_exposed": (0, 0, 3, 10),
    "no_unexposed": (3, 10, 0, 0),
    "no_outcome_anywhere": (0, 5, 0, 5),
    "no_outcome_unexposed": (2, 5, 0, 5),
    "no_outcome_exposed": (0, 5, 2, 5),
    "everyone": (5, 5, 7, 7),
    "nobody_at_all": (0, 0, 0, 0),
}


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    workdir = tmp_path_factory.mktemp("relative_risk")
    sql = compile_inline(INLINE, workdir)
    with duckdb.connect() as con:
        con.sql("create table cases (case_name varchar, a bigint, n1 bigint, c bigint, n0 bigint)")
        con.executemany(
            "insert into cases values (?, ?, ?, ?, ?)", [(k, *v) for k, v in CASES.items()]
        )
        return {row[0]: row[1:] for row in con.sql(sql).fetchall()}


def test_two_of_three_against_one_of_three(computed):
    # RR = (2/3) / (1/3) = 2; SE(ln RR) = sqrt(1/2 - 1/3 + 1/1 - 1/3) = sqrt(5/6) = 0.912871;
    # exp(ln 2 -/+ 1.959964 * 0.912871) = exp(0.693147 -/+ 1.789198) = 0.334190, 11.969256
    rr, low, high, status = computed["two_of_three_vs_one_of_three"]
    assert status == "ok"
    assert rr == pytest.approx(2.0, rel=1e-12)
    assert low == pytest.approx(0.334190, abs=1e-6)
    assert high == pytest.approx(11.969256, abs=1e-6)


def test_every_exposed_customer_lapsed_but_not_every_unexposed_one(computed):
    # RR = 1 / (2/5) = 2.5; SE = sqrt(1/1 - 1/1 + 1/2 - 1/5) = sqrt(0.3) = 0.547723;
    # exp(0.916291 -/+ 1.959964 * 0.547723) = exp(0.916291 -/+ 1.073517) = 0.854511, 7.314124
    rr, low, high, status = computed["one_of_one_vs_two_of_five"]
    assert status == "ok"
    assert rr == pytest.approx(2.5, rel=1e-12)
    assert (low, high) == pytest.approx((0.854511, 7.314124), abs=1e-6)


def test_the_interval_agrees_with_the_log_method_formula(computed):
    for name in ("two_of_three_vs_one_of_three", "one_of_one_vs_two_of_five"):
        a, n1, c, n0 = CASES[name]
        se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
        point = (a / n1) / (c / n0)
        expected = (
            point * math.exp(-1.959963984540054 * se),
            point * math.exp(1.959963984540054 * se),
        )
        assert computed[name][1:3] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("name", "rr", "status"),
    [
        ("no_exposed", None, "no_exposed_customers"),
        ("no_unexposed", None, "no_unexposed_customers"),
        ("nobody_at_all", None, "no_exposed_customers"),
        ("no_outcome_anywhere", None, "no_outcome_in_either_group"),
        ("no_outcome_unexposed", None, "no_outcome_unexposed"),  # 0.4 / 0: infinite
        ("no_outcome_exposed", 0.0, "no_outcome_exposed"),  # 0 / 0.4 = 0; ln 0 has no interval
        ("everyone", 1.0, "outcome_for_everyone"),  # 1 / 1; SE = sqrt(1/5-1/5+1/7-1/7) = 0
    ],
)
def test_zero_counts_give_a_status_and_no_interval_never_a_correction(computed, name, rr, status):
    point, low, high, got = computed[name]
    assert got == status
    assert point == rr
    assert (low, high) == (None, None)
