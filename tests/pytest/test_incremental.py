"""A build after new, changed or removed extract files publishes exactly what a full
rebuild of the same files publishes.

The committed sample is written as folders of delta files (one per 30 days of each
line's moment; users and survey definitions stay single snapshot files) and built.
Then, for each seed of ``EDIT_SEEDS``, edits chosen at random from that seed are
applied to the files: a new day's files, a line changed in place in an old file
(same size), a line changed in the snapshot file, an old file removed, a contact
deleted, an identify line that re-attributes a device's anonymous touches, and late
lines with old timestamps. The same build database is built again (only the new and
changed files are typed), published, and every published mart is compared, row for
row, with a full build of the same files in a fresh database.

Each seed costs two builds and two publishes after the first build; one seed keeps
the test to three builds (add seeds to try more edits).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import DBT, REPO, Build, build_env, dbt_build
from cx import paths
from cx.delta_files import latest_day, write_delta_folders
from cx.extract_files import file_hash, file_size

pytestmark = pytest.mark.build

# dbt_build leaves out the unit tests already; these builds leave out the data tests too.
NO_TESTS = ("--exclude-resource-type", "test")
DAYS_PER_FILE = 30
EDIT_SEEDS = (1207,)
SNAPSHOTS = ("support/users", "survey/surveys")
DEVICE = "d-equality-{}"


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _files(extracts: Path, extract: str) -> list[Path]:
    return sorted((extracts / extract).glob("*.csv"))


def _all_rows(extracts: Path, extract: str) -> list[dict[str, str]]:
    return [row for file in _files(extracts, extract) for row in _read(file)[1]]


def _prepare(extracts: Path) -> None:
    """The sample as delta folders, two snapshot files, and anonymous devices seen weeks
    before the sample's last day (an identify line of a later round names them)."""
    write_delta_folders(REPO / "seeds", extracts, DAYS_PER_FILE)
    for name in SNAPSHOTS:
        shutil.rmtree(extracts / name)
        shutil.copyfile(REPO / "seeds" / f"{name}.csv", extracts / f"{name}.csv")
    last = dt.datetime.combine(latest_day(extracts), dt.time(), dt.UTC)
    old_file = _files(extracts, "crm/activities")[-5]
    header, rows = _read(old_file)
    for round_number, _ in enumerate(EDIT_SEEDS):
        rows += [
            {"activity_id": f"A95{round_number}00000{i}",
             "anonymous_id": DEVICE.format(round_number),
             "activity_type": "web_visit", "channel": "web",
             "occurred_at": _stamp(last - dt.timedelta(days=30 - i))}
            for i in range(3)
        ]  # fmt: skip
    _write(old_file, header, rows)


def _edit(extracts: Path, rng: random.Random, round_number: int) -> dict:
    """Apply one round of edits; returns what a test needs to check them."""
    new_day = dt.datetime.combine(latest_day(extracts), dt.time(), dt.UTC) + dt.timedelta(
        days=DAYS_PER_FILE
    )
    name = f"{new_day:%Y-%m-%d}.csv"
    contacts = {row["contact_id"]: row for row in _all_rows(extracts, "crm/contacts")}
    live = sorted(c for c, row in contacts.items() if row["is_deleted"] == "false")
    chosen = rng.sample(live, 6)
    done: dict = {"new_day": new_day}

    # A new day's activities: touches of known contacts, an identify line naming an
    # anonymous device, and two late lines (two days and sixty days old).
    header = _read(_files(extracts, "crm/activities")[0])[0]
    prefix = f"A96{round_number}"
    kinds = rng.choices(
        [("web_visit", "web"), ("email_open", "email"), ("store_visit", "store")], k=3
    )
    activities = [
        {"activity_id": f"{prefix}00000{i}", "contact_id": contact, "activity_type": kind,
         "channel": channel, "occurred_at": _stamp(new_day + dt.timedelta(hours=i + 1))}
        for i, (contact, (kind, channel)) in enumerate(zip(chosen[:3], kinds, strict=True))
    ]  # fmt: skip
    activities.append({
        "activity_id": f"{prefix}000010", "contact_id": chosen[3],
        "anonymous_id": DEVICE.format(round_number), "activity_type": "web_visit",
        "channel": "web", "occurred_at": _stamp(new_day + dt.timedelta(hours=9)),
    })  # fmt: skip
    for i, days in enumerate((2, 60)):
        activities.append({
            "activity_id": f"{prefix}00002{i}", "contact_id": chosen[4],
            "activity_type": "store_visit", "channel": "store",
            "occurred_at": _stamp(new_day - dt.timedelta(days=days)),
        })  # fmt: skip
    _write(extracts / "crm/activities" / name, header, activities)
    done.update(identifying=chosen[3], device=DEVICE.format(round_number),
                late=[a["activity_id"] for a in activities[-2:]])  # fmt: skip

    # A first order, and a contact deleted on the new day.
    header = _read(_files(extracts, "crm/orders")[0])[0]
    _write(extracts / "crm/orders" / name, header, [
        {"order_id": f"O96{round_number}00001", "contact_id": chosen[0], "channel": "web",
         "status": "completed", "currency": "USD", "amount": f"{rng.randint(20, 400)}.00",
         "ordered_at": _stamp(new_day + dt.timedelta(hours=2))},
    ])  # fmt: skip
    deleted = chosen[5]
    header = _read(_files(extracts, "crm/contacts")[0])[0]
    _write(extracts / "crm/contacts" / name, header, [
        {**contacts[deleted], "is_deleted": "true", "updated_at": _stamp(new_day)},
    ])  # fmt: skip
    done["deleted"] = deleted

    # A response's score changed in place in an old file, the file's size unchanged
    # (files are immutable once delivered; a changed one must still be noticed).
    counts: dict[str, int] = {}
    for row in _all_rows(extracts, "survey/responses"):
        counts[row["response_id"]] = counts.get(row["response_id"], 0) + 1
    candidates = [
        (file, index)
        for file in _files(extracts, "survey/responses")[:-1]
        for index, row in enumerate(_read(file)[1])
        if re.fullmatch(r"[0-9]", row["nps_score"]) and row["status"] == "IP Address"
        and row["finished"] == "1" and counts[row["response_id"]] == 1
    ]  # fmt: skip
    changed_file, index = rng.choice(candidates)
    size, hash_before = file_size(str(changed_file)), file_hash(str(changed_file))
    header, rows = _read(changed_file)
    old_score = int(rows[index]["nps_score"])
    rows[index]["nps_score"] = str((old_score + rng.randint(1, 9)) % 10)
    _write(changed_file, header, rows)
    assert file_size(str(changed_file)) == size and file_hash(str(changed_file)) != hash_before
    done.update(changed_file=changed_file, response=rows[index]["response_id"],
                score=int(rows[index]["nps_score"]))  # fmt: skip

    # An old activities file removed (not one holding the planted devices).
    removable = [
        f for f in _files(extracts, "crm/activities")[:-6] if "d-equality" not in f.read_text()
    ]
    removed = rng.choice(removable)
    done["removed_activities"] = [row["activity_id"] for row in _read(removed)[1]]
    removed.unlink()
    done["removed_file"] = removed

    # The snapshot of support users: an end-user now belongs to another contact.
    users_file = extracts / "support/users.csv"
    header, rows = _read(users_file)
    end_users = [row for row in rows if row["role"] == "end-user" and row["external_id"]]
    moved = rng.choice(end_users)
    moved["external_id"] = rng.choice([c for c in live if c != moved["external_id"]])
    _write(users_file, header, rows)
    done["moved_user"] = moved["user_id"]
    return done


def _publish(build: Build, workdir: Path) -> Path:
    """Publish a build (without the gate: this test is about equality, not quality)."""
    bi = workdir / "bi" / "bi.duckdb"
    env = build_env(workdir, None, CX_BUILD_DB=str(build.database), CX_BI_DB=str(bi))
    proc = subprocess.run(
        [str(DBT.with_name("cx")), "publish", "--skip-gate"],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return bi


def _typed_files(output: str) -> dict[str, tuple[int, int]]:
    """Per base model, the files it deleted and typed, from the build's log."""
    found = re.findall(
        r"(base_\w+): (\d+) file\(s\) removed or changed, (\d+) file\(s\) to type", output
    )
    return {model: (int(stale), int(new)) for model, stale, new in found}


@pytest.fixture(scope="module")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    root = tmp_path_factory.mktemp("incremental")
    extracts = root / "extracts"
    _prepare(extracts)
    first = dbt_build(root / "incremental", extracts, *NO_TESTS)
    assert first.returncode == 0, first.output
    results = []
    for round_number, seed in enumerate(EDIT_SEEDS):
        edits = _edit(extracts, random.Random(seed), round_number)
        incremental = dbt_build(root / "incremental", extracts, *NO_TESTS)
        assert incremental.returncode == 0, incremental.output
        rebuilt = dbt_build(root / f"rebuilt-{seed}", extracts, *NO_TESTS)
        assert rebuilt.returncode == 0, rebuilt.output
        results.append({
            **edits, "seed": seed, "incremental": incremental, "rebuilt": rebuilt,
            "incremental_bi": _publish(incremental, root / f"published-incremental-{seed}"),
            "rebuilt_bi": _publish(rebuilt, root / f"published-rebuilt-{seed}"),
        })  # fmt: skip
    return results


def _sort_key(value: object) -> tuple:
    if value is None:
        return (0, "")
    if isinstance(value, float):
        return (1, f"{value:.6e}")
    return (2, repr(value))


def _same(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9) or (
            math.isnan(left) and math.isnan(right)
        )
    return left == right


def _published(bi: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every published mart: its columns and its rows, in an order of their own values."""
    with duckdb.connect(str(bi), read_only=True) as con:
        marts = [name for (name,) in con.sql(paths.MARTS_SQL).fetchall()]
        found = {}
        for name in marts:
            relation = f"{paths.MARTS_SCHEMA}.{name}"
            columns = [row[0] for row in con.sql(f"describe {relation}").fetchall()]
            rows = con.sql(f"select * from {relation}").fetchall()
            found[name] = (columns, sorted(rows, key=lambda row: tuple(map(_sort_key, row))))
    return found


@pytest.mark.parametrize("round_number", range(len(EDIT_SEEDS)))
def test_every_published_mart_equals_a_full_rebuild(rounds, round_number):
    result = rounds[round_number]
    incremental, rebuilt = _published(result["incremental_bi"]), _published(result["rebuilt_bi"])
    assert len(rebuilt) == 28
    assert sorted(incremental) == sorted(rebuilt)
    for mart, (columns, rows) in rebuilt.items():
        other_columns, other_rows = incremental[mart]
        assert other_columns == columns, mart
        assert len(other_rows) == len(rows), mart
        for left, right in zip(other_rows, rows, strict=True):
            assert all(_same(a, b) for a, b in zip(left, right, strict=True)), (mart, left, right)


@pytest.mark.parametrize("round_number", range(len(EDIT_SEEDS)))
def test_only_new_changed_and_removed_files_are_typed_again(rounds, round_number):
    # activities: one removed, one new; orders, contacts: one new each; responses: one
    # changed in place; users: the snapshot changed; surveys, ticket events, tickets,
    # reviews: none.
    assert _typed_files(rounds[round_number]["incremental"].output) == {
        "base_crm__activities": (1, 1),
        "base_crm__contacts": (0, 1),
        "base_crm__orders": (0, 1),
        "base_reviews__reviews": (0, 0),
        "base_support__ticket_events": (0, 0),
        "base_support__tickets": (0, 0),
        "base_support__users": (1, 1),
        "base_survey__responses": (1, 1),
        "base_survey__surveys": (0, 0),
    }


def test_a_file_changed_in_place_with_the_same_size_is_read_again(rounds):
    for result in rounds:
        changed = str(result["changed_file"])
        assert result["incremental"].query(
            "select file_size_bytes, file_hash, lines_read > 0 from audit.extract_files"
            f" where file_name = '{changed}'"
        ) == [(file_size(changed), file_hash(changed), True)]
        assert result["incremental"].query(
            "select nps_score from marts.fct_survey_responses"
            f" where response_id = '{result['response']}'"
        ) == [(result["score"],)]


def test_a_removed_file_leaves_nothing_behind(rounds):
    for result in rounds:
        removed = str(result["removed_file"])
        build = result["incremental"]
        assert build.query(
            f"select count(*) from staging.base_crm__activities where _file_name = '{removed}'"
            f" union all select count(*) from audit.extract_files where file_name = '{removed}'"
        ) == [(0,), (0,)]
        ids = ", ".join(f"'crm_activity:{a}'" for a in result["removed_activities"])
        assert build.query(
            f"select count(*) from marts.fct_touchpoints where touchpoint_id in ({ids})"
        ) == [(0,)]


def test_a_new_identify_line_reattributes_the_devices_earlier_touches(rounds):
    for result in rounds:
        assert result["incremental"].query(
            "select count(*), count(*) filter (where customer_id = '"
            + result["identifying"]
            + "') from marts.fct_touchpoints where touchpoint_id in (select 'crm_activity:'"
            " || activity_id from staging.stg_crm__activities where anonymous_id = '"
            + result["device"]
            + "')"
        ) == [(4, 4)]


def test_a_contact_deleted_in_a_new_file_leaves_the_customer_marts(rounds):
    for result in rounds:
        deleted = result["deleted"]
        for relation in (
            "marts.fct_touchpoints",
            "marts.fct_customer_journeys",
            "marts.dim_customers",
        ):
            assert result["incremental"].query(
                f"select count(*) from {relation} where customer_id = '{deleted}'"
            ) == [(0,)], relation


def test_late_lines_with_old_timestamps_land(rounds):
    for result in rounds:
        ids = ", ".join(f"'crm_activity:{a}'" for a in result["late"])
        assert result["incremental"].query(
            f"select count(*) from marts.fct_touchpoints where touchpoint_id in ({ids})"
        ) == [(2,)]
