"""The interval macros (macros/metrics/), compiled by dbt and run by DuckDB on hand-made counts.

dbt unit tests compare floats bit for bit, so the models' unit tests check
counts, flags and grain, and the interval arithmetic is checked here, against
values computed by hand, with a tolerance.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from scipy.stats import binomtest

from conftest import compile_inline

pytestmark = pytest.mark.build

# z = 1.959964, the two-sided 95% normal quantile; z^2 = 3.841459
NPS_CASES = {
    # name: (promoters, detractors, responses)
    "one_detractor": (0, 1, 1),
    "mixed_hundred": (50, 20, 100),
    "all_promoters": (10, 0, 10),
    "one_passive": (0, 0, 1),
    "empty": (0, 0, 0),
}
RATE_CASES = {
    # name: (successes, trials)
    "none_of_one": (0, 1),
    "one_of_one": (1, 1),
    "eight_of_ten": (8, 10),
    "twenty_nine_of_thirty": (29, 30),
    "fifteen_of_thirty": (15, 30),
    "ten_of_twenty_nine": (10, 29),
    "no_trials": (0, 0),
}
# Unanimous samples of every size up to 20,000: the formula reaches 0 and 1 there only up
# to rounding, which put a bound on the wrong side of the rate for thousands of n.
EDGE_CASES = {
    f"{kind}_of_{n}": (n if kind == "all" else 0, n)
    for n in range(1, 20_001)
    for kind in ("all", "none")
}
INLINE = (
    "select case_name,"
    " {{ nps_columns('promoters', 'detractors', 'responses') }},"
    " {{ is_small_sample('responses') }} as is_small_sample,"
    " {{ rate_columns('rate', 'successes', 'trials') }}"
    " from cases"
)


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Every case through the macros as dbt compiles them, one row per case."""
    workdir = tmp_path_factory.mktemp("intervals")
    sql = compile_inline(INLINE, workdir)
    cases = [
        (name, *NPS_CASES.get(name, (0, 0, 0)), *RATE_CASES.get(name, (0, 0)))
        for name in [*NPS_CASES, *RATE_CASES]
    ] + [(name, 0, 0, 0, *counts) for name, counts in EDGE_CASES.items()]
    # One Arrow table, not 40,014 inserts: executemany took 32 s of this fixture's 44 s.
    names, *counts = zip(*cases, strict=True)
    table = pa.table(
        [pa.array(names, pa.string()), *(pa.array(column, pa.int64()) for column in counts)],
        names=["case_name", "promoters", "detractors", "responses", "successes", "trials"],
    )
    with duckdb.connect() as con:
        con.register("cases", table)
        frame = con.sql(sql).df()
    return {row["case_name"]: row for row in frame.to_dict("records")}


def nps_of(computed: dict[str, dict], name: str) -> tuple:
    row = computed[name]
    return row["nps"], row["nps_std_error"], row["nps_ci_low"], row["nps_ci_high"]


def test_one_detractor_has_a_wide_interval_not_a_point(computed):
    # n' = 1 + 3 = 4, p' = 0.75 / 4 = 0.1875, d' = 1.75 / 4 = 0.4375.
    # SE = 100 sqrt((0.1875 + 0.4375 - (0.1875 - 0.4375)^2) / 4)
    #    = 100 sqrt((0.625 - 0.0625) / 4) = 100 * 0.375 = 37.5.
    # Adjusted NPS 100 (p' - d') = -25; CI = -25 -/+ 1.96 * 37.5 = -25 -/+ 73.4986.
    nps, se, low, high = nps_of(computed, "one_detractor")
    assert nps == pytest.approx(-100.0)  # the point estimate stays the plain NPS
    assert se == pytest.approx(37.5, abs=1e-9)
    assert low == pytest.approx(-98.4986, abs=1e-4)
    assert high == pytest.approx(48.4986, abs=1e-4)
    # the old Wald interval was [-100, -100]: zero width


def test_a_larger_mixed_sample(computed):
    # 50 promoters, 30 passives, 20 detractors: NPS = 100 * (50 - 20) / 100 = 30.
    # n' = 103, p' = 50.75 / 103 = 0.492718, d' = 20.75 / 103 = 0.201456,
    # p' + d' = 0.694175, (p' - d')^2 = 0.291262^2 = 0.084834,
    # SE = 100 sqrt((0.694175 - 0.084834) / 103) = 100 sqrt(0.00591593) = 7.69151.
    # Adjusted NPS 29.1262; CI = 29.1262 -/+ 1.96 * 7.69151 = 29.1262 -/+ 15.0751.
    nps, se, low, high = nps_of(computed, "mixed_hundred")
    assert nps == pytest.approx(30.0)
    assert se == pytest.approx(7.69151, abs=1e-4)
    assert low == pytest.approx(14.0511, abs=1e-4)
    assert high == pytest.approx(44.2013, abs=1e-4)


def test_all_promoters_has_width_and_is_clipped_at_100(computed):
    # n' = 13, p' = 10.75 / 13 = 0.826923, d' = 0.75 / 13 = 0.057692,
    # SE = 100 sqrt((0.884615 - 0.769231^2) / 13) = 100 sqrt(0.0225307) = 15.0102.
    # Adjusted NPS 76.9231; CI 76.9231 -/+ 29.4195 -> 47.5036 .. 106.3426, clipped to 100.
    nps, se, low, high = nps_of(computed, "all_promoters")
    assert nps == pytest.approx(100.0)
    assert se == pytest.approx(15.0102, abs=1e-4)
    assert low == pytest.approx(47.5036, abs=1e-3)
    assert high == pytest.approx(100.0)


def test_one_passive_is_centred_on_zero(computed):
    # n' = 4, p' = d' = 0.1875: SE = 100 sqrt(0.375 / 4) = 30.6186; CI 0 -/+ 60.0114.
    nps, se, low, high = nps_of(computed, "one_passive")
    assert nps == pytest.approx(0.0)
    assert se == pytest.approx(30.6186, abs=1e-4)
    assert (low, high) == pytest.approx((-60.0114, 60.0114), abs=1e-4)


def test_no_responses_give_no_nps_and_a_small_sample(computed):
    row = computed["empty"]
    assert all(pd_null(row[c]) for c in ("nps", "nps_std_error", "nps_ci_low", "nps_ci_high"))
    assert row["is_small_sample"]
    assert computed["all_promoters"]["is_small_sample"]  # 10 < 30
    assert not computed["mixed_hundred"]["is_small_sample"]  # 100 >= 30


def rate_of(computed: dict[str, dict], name: str) -> tuple:
    row = computed[name]
    return row["rate"], row["rate_n"], row["rate_ci_low"], row["rate_ci_high"]


def test_wilson_at_zero_and_all_successes_of_one(computed):
    # 0 of 1: low 0; high = z^2 / (1 + z^2) = 3.841459 / 4.841459 = 0.793451.
    # 1 of 1: mirrored, low = 1 - 0.793451 = 0.206549, high 1.
    assert rate_of(computed, "none_of_one") == pytest.approx((0.0, 1, 0.0, 0.793451), abs=1e-6)
    assert rate_of(computed, "one_of_one") == pytest.approx((1.0, 1, 0.206549, 1.0), abs=1e-6)


def test_wilson_eight_of_ten(computed):
    # p = 0.8, n = 10, z^2 / n = 0.3841459:
    # centre = (0.8 + 0.3841459 / 2) / 1.3841459 = 0.9920730 / 1.3841459 = 0.716740,
    # half = z sqrt(0.8 * 0.2 / 10 + 3.841459 / 400) / 1.3841459
    #      = 1.959964 * sqrt(0.0256036) / 1.3841459 = 0.313618 / 1.3841459 = 0.226581,
    # interval 0.490162 .. 0.943318 (with the unrounded centre and half-width).
    rate, n, low, high = rate_of(computed, "eight_of_ten")
    assert (rate, n) == (pytest.approx(0.8), 10)
    assert (low, high) == pytest.approx((0.490162, 0.943318), abs=1e-5)


def test_unanimous_samples_have_bounds_exactly_at_zero_and_one(computed):
    for name in EDGE_CASES:
        rate, _, low, high = rate_of(computed, name)
        if name.startswith("all"):
            assert (rate, high) == (1.0, 1.0), name
            assert 0.0 < low < 1.0, name
        else:
            assert (rate, low) == (0.0, 0.0), name
            assert 0.0 < high < 1.0, name


def test_small_sample_flag_is_under_thirty(computed):
    assert computed["ten_of_twenty_nine"]["rate_is_small_sample"]  # 29 < 30
    assert not computed["fifteen_of_thirty"]["rate_is_small_sample"]  # 30 is not under 30


def test_no_trials_give_no_rate_and_a_small_sample(computed):
    rate, n, low, high = rate_of(computed, "no_trials")
    assert n == 0 and pd_null(rate) and pd_null(low) and pd_null(high)
    assert computed["no_trials"]["rate_is_small_sample"]


@pytest.mark.parametrize("name", [n for n, (_, t) in RATE_CASES.items() if t > 0])
def test_wilson_agrees_with_scipy(computed, name):
    successes, trials = RATE_CASES[name]
    expected = binomtest(successes, trials).proportion_ci(0.95, method="wilson")
    _, _, low, high = rate_of(computed, name)
    assert (low, high) == pytest.approx((expected.low, expected.high), abs=1e-9)


def pd_null(value: object) -> bool:
    return value is None or value != value  # NaN is how pandas hands over a null double


# Means (macros/metrics/means.sql): hand-computed t intervals.
MEAN_CASES = {
    # values: 2, 4, 6 -> mean 4, sd 2, t(0.975, 2) = 4.302653, half width 4.302653 * 2 / sqrt(3)
    "two_four_six": [2.0, 4.0, 6.0],
    "one_value": [7.0],
    "no_values": [],
    "all_equal": [5.0, 5.0, 5.0, 5.0],
    # 40 values 0..39: mean 19.5, sd sqrt(136.666...) = 11.690452, t(0.975, 39) = 2.022691
    "zero_to_thirty_nine": [float(v) for v in range(40)],
}
MEAN_INLINE = (
    "select case_name, {{ mean_columns('mean_value', 'value') }} from cases group by case_name"
)
T_INLINE = "select df, {{ t_975('df') }} as t from dfs"
SUMS_INLINE = (
    "select case_name,"
    " {{ mean_columns_from_sums('mean_value', 'n', 'total', 'total_of_squares') }} from sums"
)
# The same columns from whole numbers' count, sum and sum of squares (mart_stage_experience's
# tickets per customer, where most customers have none).
SUMS_CASES = {
    **MEAN_CASES,
    # 997 zeros, two 1s, one 3: mean 5 / 1000 = 0.005; variance (1000 * 11 - 5^2) /
    # (1000 * 999) = 10,975 / 999,000, sd 0.1048141; t(0.975, 999) = 1.9623415, half
    # width 1.9623415 * 0.1048141 / sqrt(1000) = 0.0065042.
    "mostly_zeros": [0.0] * 997 + [1.0, 1.0, 3.0],
}


@pytest.fixture(scope="module")
def means(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict], dict[int, float]]:
    """Mean cases and the t quantile for df 0..5,000, as dbt compiles the macros."""
    workdir = tmp_path_factory.mktemp("means")
    mean_sql = compile_inline(MEAN_INLINE, workdir)
    t_sql = compile_inline(T_INLINE, workdir)
    rows = [(name, value) for name, values in MEAN_CASES.items() for value in values or [None]]
    cases = pa.table(
        [pa.array([r[0] for r in rows], pa.string()), pa.array([r[1] for r in rows], pa.float64())],
        names=["case_name", "value"],
    )
    dfs = pa.table([pa.array(range(5_001), pa.int64())], names=["df"])
    with duckdb.connect() as con:
        con.register("cases", cases)
        con.register("dfs", dfs)
        by_case = {r["case_name"]: r for r in con.sql(mean_sql).df().to_dict("records")}
        t_by_df = dict(con.sql(t_sql).fetchall())
    return by_case, t_by_df


@pytest.fixture(scope="module")
def means_from_sums(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """mean_columns_from_sums on each case's count, sum and sum of squares."""
    sql = compile_inline(SUMS_INLINE, tmp_path_factory.mktemp("means-from-sums"))
    names = list(SUMS_CASES)
    values = [[int(v) for v in SUMS_CASES[name]] for name in names]
    sums = pa.table(
        [
            pa.array(names, pa.string()),
            pa.array([len(v) for v in values], pa.int64()),
            pa.array([sum(v) for v in values], pa.int64()),
            pa.array([sum(x * x for x in v) for v in values], pa.int64()),
        ],
        names=["case_name", "n", "total", "total_of_squares"],
    )
    with duckdb.connect() as con:
        con.register("sums", sums)
        return {r["case_name"]: r for r in con.sql(sql).df().to_dict("records")}


@pytest.mark.parametrize("case", list(MEAN_CASES))
def test_a_mean_from_sums_is_the_mean_of_the_values(means, means_from_sums, case):
    listed, summed = means[0][case], means_from_sums[case]
    assert summed.keys() == listed.keys()
    for column, value in listed.items():
        if not isinstance(value, float):
            assert summed[column] == value, column  # the case's name, n, the flag
        elif pd_null(value):
            assert pd_null(summed[column]), column
        else:
            assert summed[column] == pytest.approx(value, rel=1e-12, abs=1e-12), column


def test_a_mean_from_sums_of_mostly_zeros_hand_computed(means_from_sums):
    row = means_from_sums["mostly_zeros"]
    assert row["mean_value"] == pytest.approx(0.005) and row["mean_value_n"] == 1000
    assert (row["mean_value_ci_low"], row["mean_value_ci_high"]) == pytest.approx(
        (0.005 - 0.0065042, 0.005 + 0.0065042), abs=1e-7
    )
    assert not row["mean_value_is_small_sample"]


def test_t_quantile_agrees_with_scipy_for_every_df(means):
    from scipy.stats import t

    _, t_by_df = means
    assert t_by_df[0] is None
    for df in range(1, 5_001):
        assert t_by_df[df] == pytest.approx(t.ppf(0.975, df), abs=1e-7), df


def test_mean_of_three_values_hand_computed(means):
    row = means[0]["two_four_six"]
    half = 4.302653 * 2 / 3**0.5  # = 4.968275
    assert row["mean_value"] == pytest.approx(4.0)
    assert row["mean_value_n"] == 3
    assert row["mean_value_ci_low"] == pytest.approx(4.0 - half, abs=1e-5)  # -0.968275
    assert row["mean_value_ci_high"] == pytest.approx(4.0 + half, abs=1e-5)  # 8.968275
    assert row["mean_value_is_small_sample"]


def test_mean_of_forty_values_is_not_a_small_sample(means):
    row = means[0]["zero_to_thirty_nine"]
    half = 2.022691 * 11.690452 / 40**0.5  # = 3.738788
    assert row["mean_value"] == pytest.approx(19.5)
    assert (row["mean_value_ci_low"], row["mean_value_ci_high"]) == pytest.approx(
        (19.5 - half, 19.5 + half), abs=1e-5
    )
    assert not row["mean_value_is_small_sample"]


def test_one_value_has_no_interval_and_no_values_no_mean(means):
    one, none = means[0]["one_value"], means[0]["no_values"]
    assert one["mean_value"] == pytest.approx(7.0) and one["mean_value_n"] == 1
    assert pd_null(one["mean_value_ci_low"]) and pd_null(one["mean_value_ci_high"])
    assert pd_null(none["mean_value"]) and none["mean_value_n"] == 0
    assert none["mean_value_is_small_sample"]


def test_equal_values_give_a_zero_width_interval_at_the_mean(means):
    # sd 0: every value is the mean; the interval honestly has no width.
    row = means[0]["all_equal"]
    assert row["mean_value_ci_low"] == pytest.approx(5.0)
    assert row["mean_value_ci_high"] == pytest.approx(5.0)
