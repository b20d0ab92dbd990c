"""An incremental build after one more day gives exactly the marts of a full rebuild.

The committed sample is split at the start of its last day: the extracts as
they stood before it are built from scratch, then the whole sample plus lines
an incremental build could get wrong is built incrementally (once directly,
once after a run that skipped the journeys), and each result is compared with
a full rebuild of the same extracts, mart by mart.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, Build, dbt_build
from cx import paths
from cx.increments import latest_moment, write_extracts_until

pytestmark = pytest.mark.build

NO_TESTS = ("--exclude-resource-type", "test", "unit_test")
INCREMENTAL_MODELS = (
    "intermediate.int_touchpoints_unioned",
    "marts.fct_customer_journeys",
    "marts.fct_support_tickets",
    "marts.fct_survey_responses",
)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _append(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=header, lineterminator="\n").writerows(rows)


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def one_more_day(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("incremental")
    full = root / "full"
    for system in ("crm", "support", "survey"):
        shutil.copytree(REPO / "seeds" / system, full / system)
    cutoff = latest_moment(full).replace(hour=0, minute=0, second=0, microsecond=0)
    earlier = root / "earlier"
    left_out = write_extracts_until(full, earlier, cutoff)

    activities = _rows(full / "crm" / "activities.csv")
    contacts = {row["contact_id"]: row for row in _rows(full / "crm" / "contacts.csv")}
    active = {a["contact_id"] for a in activities}
    live = sorted(c for c, row in contacts.items() if row["is_deleted"] == "false" and c in active)
    buyers = {row["contact_id"] for row in _rows(full / "crm" / "orders.csv")}
    identifying, deleted, late = live[0], live[1], live[2]
    first_buyer = next(c for c in live if c not in buyers)
    # A first order the day before the cutoff that the new day's export dates
    # twelve hours earlier: the customer's touchpoint count stays the same, their
    # purchase stage moves.
    for extracts, hours in ((earlier, 24), (full, 36)):
        _append(extracts / "crm" / "orders.csv", [
            {"order_id": "O900000001", "contact_id": first_buyer, "channel": "web",
             "status": "completed", "currency": "USD", "amount": "120.00",
             "ordered_at": _stamp(cutoff - dt.timedelta(hours=hours))},
        ])  # fmt: skip
    # A device nobody has identified yet, browsing in the week before the cutoff.
    anonymous = "d-incremental-test"
    for extracts in (earlier, full):
        _append(extracts / "crm" / "activities.csv", [
            {"activity_id": f"A90000000{i}", "anonymous_id": anonymous,
             "activity_type": "web_visit", "channel": "web",
             "occurred_at": _stamp(cutoff - dt.timedelta(days=7 - i))}
            for i in range(3)
        ])  # fmt: skip
    new_day = cutoff + dt.timedelta(hours=12)
    # The new day identifies the device, deletes a contact, and brings a line
    # that happened two days earlier (inside the lookback window).
    _append(full / "crm" / "activities.csv", [
        {"activity_id": "A900000011", "contact_id": identifying, "anonymous_id": anonymous,
         "activity_type": "web_visit", "channel": "web", "occurred_at": _stamp(new_day)},
        {"activity_id": "A900000012", "contact_id": late, "activity_type": "store_visit",
         "channel": "store", "occurred_at": _stamp(cutoff - dt.timedelta(days=2))},
    ])  # fmt: skip
    _append(
        full / "crm" / "contacts.csv",
        [{**contacts[deleted], "is_deleted": "true", "updated_at": _stamp(new_day)}],
    )

    incremental = dbt_build(root / "incremental", earlier, *NO_TESTS)
    assert incremental.returncode == 0, incremental.output
    before = incremental.query(
        "select count(*), count(customer_id) from marts.fct_touchpoints"
        f" where touchpoint_id in (select 'crm_activity:' || activity_id"
        f" from staging.stg_crm__activities where anonymous_id = '{anonymous}')"
        f" union all select count(*), count(*) from marts.fct_touchpoints"
        f" where customer_id = '{deleted}'"
    )
    # The same day before, then a day whose journeys did not build (an upstream
    # test failed, say), then the next run.
    skipped = root / "skipped" / "build.duckdb"
    skipped.parent.mkdir()
    shutil.copy(incremental.database, skipped)
    incremental = dbt_build(root / "incremental", full, *NO_TESTS)
    assert incremental.returncode == 0, incremental.output
    for args in (("--exclude", "fct_customer_journeys+"), ()):
        after_skip = dbt_build(skipped.parent, full, *NO_TESTS, *args)
        assert after_skip.returncode == 0, after_skip.output
    rebuilt = dbt_build(root / "rebuilt", full, *NO_TESTS)
    assert rebuilt.returncode == 0, rebuilt.output
    return {
        "incremental": incremental,
        "after_skip": after_skip,
        "rebuilt": rebuilt,
        "left_out": left_out,
        "anonymous": anonymous,
        "before": before,
        "identifying": identifying,
        "deleted": deleted,
    }


def _relations(build: Build) -> list[str]:
    return [f"{paths.MARTS_SCHEMA}.{name}" for (name,) in build.query(paths.MARTS_SQL)]


def _digest(build: Build, relation: str) -> tuple[int, str]:
    """Row count and a digest of the sorted rows; doubles rounded to 9 digits."""
    with duckdb.connect(str(build.database), read_only=True) as con:
        columns = [
            f"round({name}, 9)" if kind == "DOUBLE" else name
            for name, kind, *_ in con.sql(f"describe {relation}").fetchall()
            if name != "batched_at"
        ]
        return con.sql(
            f"select count(*), md5(coalesce(string_agg(line, '|' order by line), ''))"
            f" from (select row({', '.join(columns)})::varchar as line from {relation})"
        ).fetchall()[0]


def test_the_split_leaves_out_a_day_of_every_large_extract(one_more_day):
    left_out = one_more_day["left_out"]
    for name in ("crm/activities", "crm/orders", "support/ticket_events", "survey/responses"):
        assert left_out[name] > 0, name
    assert left_out["survey/surveys"] == 0


@pytest.mark.parametrize("build", ["incremental", "after_skip"])
def test_every_mart_equals_a_full_rebuild(one_more_day, build):
    incremental, rebuilt = one_more_day[build], one_more_day["rebuilt"]
    marts = _relations(rebuilt)
    assert len(marts) == 17
    assert _relations(incremental) == marts
    for relation in (*marts, *INCREMENTAL_MODELS):
        assert _digest(incremental, relation) == _digest(rebuilt, relation), relation


def test_a_new_identify_line_reassigns_the_devices_earlier_touchpoints(one_more_day):
    touches, attributed = one_more_day["before"][0]
    assert (touches, attributed) == (3, 0)
    after = one_more_day["incremental"].query(
        "select count(*), count(*) filter (where customer_id = '"
        + one_more_day["identifying"]
        + "') from marts.fct_touchpoints where touchpoint_id in (select 'crm_activity:'"
        " || activity_id from staging.stg_crm__activities where anonymous_id = '"
        + one_more_day["anonymous"]
        + "')"
    )
    assert after == [(touches + 1, touches + 1)]


def test_a_contact_deleted_on_the_new_day_leaves_every_mart(one_more_day):
    deleted = one_more_day["deleted"]
    assert one_more_day["before"][1][0] > 0
    incremental = one_more_day["incremental"]
    for relation in ("marts.fct_touchpoints", "marts.fct_customer_journeys"):
        assert incremental.query(
            f"select count(*) from {relation} where customer_id = '{deleted}'"
        ) == [(0,)], relation


def test_the_late_line_inside_the_lookback_window_lands(one_more_day):
    assert one_more_day["incremental"].query(
        "select count(*) from marts.fct_touchpoints where touchpoint_id = 'crm_activity:A900000012'"
    ) == [(1,)]
