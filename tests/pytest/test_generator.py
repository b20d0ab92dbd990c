"""The generator: deterministic, every contract defect, and CX behaviour to find."""

from __future__ import annotations

import datetime as dt
import filecmp

import duckdb
import pytest
from scipy.stats import t as student_t

from conftest import REPO
from cx.contract import EXTRACTS
from cx.generator import generate

SEEDS = REPO / "seeds"


def _read(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Register a sample extract as a view of text columns."""
    system, table = name.split("/")
    con.sql(
        f"create view {table} as select * from read_csv('{SEEDS / system / table}.csv',"
        " header = true, all_varchar = true)"
    )


@pytest.fixture(scope="module")
def sample() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for extract in EXTRACTS:
        _read(con, f"{extract.system}/{extract.table}")
    return con


def _scalar(con: duckdb.DuckDBPyConnection, sql: str):
    return con.sql(sql).fetchall()[0][0]


def test_committed_sample_is_the_generators_output(tmp_path):
    """`make sample` (3,000 customers, seed 42) gives the committed files byte for byte."""
    generate(tmp_path, customers=3000, seed=42)
    for extract in EXTRACTS:
        assert filecmp.cmp(tmp_path / extract.relpath, SEEDS / extract.relpath, shallow=False), (
            f"{extract.relpath} differs from the generator's output: run `make sample`"
        )


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    generate(tmp_path / "a", customers=150, seed=7)
    generate(tmp_path / "b", customers=150, seed=7)
    generate(tmp_path / "c", customers=150, seed=8)
    orders = "crm/orders.csv"
    assert (tmp_path / "a" / orders).read_bytes() == (tmp_path / "b" / orders).read_bytes()
    assert (tmp_path / "a" / orders).read_bytes() != (tmp_path / "c" / orders).read_bytes()


def test_zero_customers_writes_header_only_extracts_and_the_reference_tables(tmp_path):
    generate(tmp_path, customers=0, seed=1)
    for extract in EXTRACTS:
        lines = (tmp_path / extract.relpath).read_text(encoding="utf-8").splitlines()
        assert lines[0] == ",".join(extract.columns)
        if extract.table not in ("surveys", "users"):  # definitions and agents exist regardless
            assert lines[1:] == [], extract.relpath


def test_sample_holds_every_defect_the_contract_lists(sample):
    checks = {
        "re-exported contacts": "select count(*) - count(distinct contact_id) from contacts",
        "re-exported responses": "select count(*) - count(distinct response_id) from responses",
        "deleted contacts": "select count(*) from contacts where is_deleted = 'true'",
        "lower-case countries": "select count(*) from contacts where country <> upper(country)",
        "emails with spaces": "select count(*) from contacts where email <> trim(email)",
        "emails in mixed case": "select count(*) from activities where email <> lower(email)",
        "phones with parentheses": "select count(*) from contacts where phone like '%(%'",
        "phones with dots": "select count(*) from contacts where phone like '%.%.%'",
        "orphan orders": "select count(*) from orders anti join contacts using (contact_id)",
        "anonymous activity": "select count(*) from activities where contact_id is null",
        "identify rows": (
            "select count(*) from activities where contact_id is not null"
            " and anonymous_id is not null"
        ),
        "preview rows": "select count(*) from responses where status = 'Survey Preview'",
        "test rows": "select count(*) from responses where status = 'Survey Test'",
        "spam rows": "select count(*) from responses where status = 'Spam'",
        "unfinished responses": "select count(*) from responses where finished = '0'",
        "NPS outside 0..10": (
            "select count(*) from responses where try_cast(nps_score as int) not between 0 and 10"
        ),
        "verbatims with a line break": "select count(*) from responses where comment like e'%\\n%'",
        "verbatims with quotes": "select count(*) from responses where comment like '%\"%'",
        "verbatims with commas": "select count(*) from responses where comment like '%,%'",
        "verbatims with emoji": (
            "select count(*) from responses where regexp_matches(comment, '👍|😊|😡|📦|🔥')"
        ),
        "Z offsets": "select count(*) from orders where ordered_at like '%Z'",
        "negative offsets": "select count(*) from orders where ordered_at like '%-0_:00'",
        "positive offsets": "select count(*) from orders where ordered_at like '%+0_:00'",
        "non-ASCII names": (
            "select count(*) from contacts where last_name <> strip_accents(last_name)"
        ),
        "edited reviews": (
            "select count(*) from (select review_id from reviews group by review_id"
            " having count(distinct updated_at) > 1)"
        ),
        "reviews exported twice alike": (
            "select count(*) from (select * from reviews group by all having count(*) > 1)"
        ),
        "reviews of one id and moment that differ": (
            "select count(*) from (select review_id, updated_at from reviews group by all"
            " having count(distinct rating) > 1)"
        ),
        "anonymous reviews": (
            "select count(*) from reviews where reviewer_email is null and order_reference is null"
        ),
        "reviews with an order reference only": (
            "select count(*) from reviews where reviewer_email is null"
            " and order_reference is not null"
        ),
        "review emails in mixed case": (
            "select count(*) from reviews where reviewer_email <> lower(reviewer_email)"
        ),
        "review order references matching no order": (
            "select count(*) from reviews where order_reference is not null"
            " and order_reference not in (select order_id from orders)"
        ),
        "rating 0": "select count(*) from reviews where rating = '0'",
        "rating 6": "select count(*) from reviews where rating = '6'",
        "rating 4.5": "select count(*) from reviews where rating = '4.5'",
        "review posted in month 13": (
            "select count(*) from reviews where posted_at like '____-13-%'"
        ),
        "review posted without a UTC offset": (
            "select count(*) from reviews"
            " where regexp_full_match(posted_at, '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d')"
        ),
        "reviews on a platform the contract does not list": (
            "select count(*) from reviews where platform not in ('shop', 'trustpilot', 'google')"
        ),
        "reviews in every language": ("select (count(distinct language) = 4)::int from reviews"),
    }
    missing = [name for name, sql in checks.items() if not _scalar(sample, sql)]
    assert missing == []


def test_engaged_contacts_buy_more_often(sample):
    clicked, others = sample.sql(
        """
        with clickers as (
            select distinct contact_id from activities where activity_type = 'email_click'
        ),
        buyers as (select distinct contact_id from orders)
        select
            avg((buyers.contact_id is not null)::int) filter (where clickers.contact_id notnull),
            avg((buyers.contact_id is not null)::int) filter (where clickers.contact_id isnull)
        from (select distinct contact_id from contacts) as contacts
        left join clickers using (contact_id)
        left join buyers using (contact_id)
        """
    ).fetchall()[0]
    assert clicked > others + 0.1


def test_repeat_buyers_and_one_time_buyers_both_exist(sample):
    one, repeat = sample.sql(
        """
        select count(*) filter (where orders = 1), count(*) filter (where orders >= 3)
        from (select contact_id, count(*) as orders from orders group by 1)
        """
    ).fetchall()[0]
    assert one > 200 and repeat > 200


def test_a_bad_support_experience_lowers_the_next_nps(tmp_path):
    """Responses within 30 days after a ticket rated bad score lower than the rest.

    Few answers follow a bad rating that closely (the committed sample holds one), so
    20,000 customers are generated: at seed 42 that is 11 answers, mean 5.09 against
    7.32 for the other 13,446. The check: the upper end of the after-bad mean's 95% t
    interval stays below the others' mean."""
    generate(tmp_path, customers=20_000, seed=42)
    con = duckdb.connect()
    for name, relpath in (
        ("tickets", "support/tickets.csv"),
        ("users", "support/users.csv"),
        ("responses", "survey/responses.csv"),
    ):
        con.sql(
            f"create view {name} as select * from read_csv('{tmp_path / relpath}',"
            " header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')"
        )
    after_bad, rest = con.sql(
        """
        with bad_tickets as (
            select users.external_id as contact_id, tickets.updated_at::timestamptz as rated_at
            from tickets join users on tickets.requester_id = users.user_id
            where tickets.satisfaction_rating = 'bad' and users.external_id is not null
        ),
        nps as (
            select response_id, contact_ref as contact_id, end_date::timestamptz as answered_at,
                   nps_score::int as score
            from responses
            where nps_score is not null and try_cast(nps_score as int) between 0 and 10
              and status in ('IP Address', 'Imported') and contact_ref is not null
        ),
        flagged as (
            select nps.score, exists (
                select 1 from bad_tickets
                where bad_tickets.contact_id = nps.contact_id
                  and nps.answered_at between bad_tickets.rated_at
                      and bad_tickets.rated_at + interval 30 day
            ) as after_bad
            from nps
        )
        select
            list(score) filter (where after_bad),
            avg(score) filter (where not after_bad)
        from flagged
        """
    ).fetchall()[0]
    n = len(after_bad)
    mean = sum(after_bad) / n
    sd = (sum((score - mean) ** 2 for score in after_bad) / (n - 1)) ** 0.5
    upper = mean + student_t.ppf(0.975, n - 1) * sd / n**0.5
    assert n >= 5 and upper < rest


def test_a_buyer_with_a_rate_near_zero_does_not_overflow(tmp_path, monkeypatch):
    """Gamma-distributed purchase rates can be tiny; the next purchase is then beyond the
    extract date, not beyond what a datetime can hold."""
    from cx.generator import Generator

    generator = Generator(customers=20, seed=3)
    draw = generator.rng.gammavariate
    monkeypatch.setattr(
        generator.rng, "gammavariate", lambda shape, scale: draw(shape, scale) * 1e-12
    )
    generator.write(tmp_path)
    assert (tmp_path / "crm" / "orders.csv").read_text(encoding="utf-8").count("\n") > 1


def _lines_of(con: duckdb.DuckDBPyConnection, pattern: str) -> list[tuple]:
    return sorted(
        con.sql(
            # The contract's dialect, not sniffed: a glob is sniffed on its first file only.
            f"select * from read_csv('{pattern}', header = true, all_varchar = true,"
            " delim = ',', quote = '\"', escape = '\"')"
        ).fetchall(),
        key=repr,
    )


def test_days_per_file_writes_folders_whose_lines_are_the_single_files(tmp_path):
    """`cx generate --days-per-file 3`: one file per 3-day window of each line's moment (UTC),
    windows counted from 1970-01-01; all files together hold exactly the single file's lines."""
    from cx.cli import main
    from cx.delta_files import LINE_MOMENT

    generate(tmp_path / "single", customers=150, seed=7)
    assert main(["generate", "--customers", "150", "--seed", "7", "--out",
                 str(tmp_path / "delta"), "--days-per-file", "3"]) == 0  # fmt: skip
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        for extract in EXTRACTS:
            name = f"{extract.system}/{extract.table}"
            folder = tmp_path / "delta" / extract.system / extract.table
            assert not (tmp_path / "delta" / extract.relpath).exists()
            single = _lines_of(con, str(tmp_path / "single" / extract.relpath))
            assert _lines_of(con, f"{folder}/*.csv") == single, name
            for file in folder.iterdir():
                moment = LINE_MOMENT[name]
                if file.stem == "undated":
                    continue
                start = dt.date.fromisoformat(file.stem)
                # 1970-01-01 + 3k days: the window's first day is a multiple of 3 days after it
                assert (start - dt.date(1970, 1, 1)).days % 3 == 0
                days = con.sql(
                    f"select distinct cast(try_cast({moment} as timestamptz) as date)"
                    f" from read_csv('{file}', header = true, all_varchar = true)"
                ).fetchall()
                assert all(start <= day < start + dt.timedelta(days=3) for (day,) in days), file
        # Survey definitions have no moment: one undated file.
        assert [f.name for f in (tmp_path / "delta" / "survey" / "surveys").iterdir()] == [
            "undated.csv"
        ]


def test_days_per_file_with_no_lines_writes_a_header_only_file(tmp_path):
    from cx.delta_files import write_delta_folders

    generate(tmp_path / "single", customers=0, seed=1)
    write_delta_folders(tmp_path / "single", tmp_path / "delta", days_per_file=1)
    contacts = tmp_path / "delta" / "crm" / "contacts"
    assert [f.name for f in contacts.iterdir()] == ["undated.csv"]
    assert (contacts / "undated.csv").read_text(encoding="utf-8").splitlines() == [
        ",".join(EXTRACTS[0].columns)
    ]
    with pytest.raises(ValueError, match="1 or more"):
        write_delta_folders(tmp_path / "single", tmp_path / "other", days_per_file=0)


def test_reviews_follow_the_customers_and_their_activities(sample):
    """Every `review_posted` activity of a customer whose email a review carries has a
    review posted at the same moment; satisfied buyers rate high: the mean rating of the
    usable reviews lies between 3.5 and 4.5 and every rating 1..5 occurs."""
    ratings = dict(
        sample.sql(
            "select rating, count(*) from reviews where rating in ('1', '2', '3', '4', '5')"
            " group by rating"
        ).fetchall()
    )
    assert sorted(ratings) == ["1", "2", "3", "4", "5"]
    mean = sum(int(r) * n for r, n in ratings.items()) / sum(ratings.values())
    assert 3.5 < mean < 4.5
    unmatched = _scalar(
        sample,
        """
        select count(*)
        from activities
        where activity_type = 'review_posted'
          and not exists (
              select 1 from reviews
              where try_cast(reviews.posted_at as timestamptz)
                  = activities.occurred_at::timestamptz
          )
        """,
    )
    posted = _scalar(
        sample, "select count(*) from activities where activity_type = 'review_posted'"
    )
    # A review's defect may break its posted_at (one in a hundred): nearly all match.
    assert posted > 20 and unmatched <= posted // 20
