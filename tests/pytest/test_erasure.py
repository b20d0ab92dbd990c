"""The suppression list behind `cx erase`: hashed, normalised, idempotent, outside the
repository, and hashed as the build's SQL hashes the extracts' values."""

from __future__ import annotations

import datetime as dt
import hashlib
import stat
from pathlib import Path

import duckdb
import pytest

from cx.erasure import (
    carry_snapshots,
    default_path,
    key_hash,
    linked_user_keys,
    linked_users,
    list_path,
    read_entries,
    record,
    record_keys,
    restore_snapshots,
    suppressed_keys,
)

REPO = Path(__file__).resolve().parents[2]
EMAIL = "Ann.Lee@Example.com"
NOW = dt.datetime(2025, 11, 2, 9, 30, tzinfo=dt.UTC)


def test_an_email_is_hashed_trimmed_and_in_lower_case():
    expected = hashlib.sha256(b"ann.lee@example.com").hexdigest()
    assert key_hash("email", EMAIL) == expected
    assert key_hash("email", "  ANN.LEE@example.COM ") == expected
    # An id keeps its case: contact ids are `C` + digits.
    assert key_hash("contact_id", " C0000798 ") == hashlib.sha256(b"C0000798").hexdigest()
    assert key_hash("contact_id", "c0000798") != key_hash("contact_id", "C0000798")


def test_python_hashes_as_the_build_hashes_the_extracts():
    # macros/loading/suppression.sql: sha256(nullif(lower(trim(x)), '')) for an email.
    sql = duckdb.sql(
        "select sha256(nullif(lower(trim(' Ann.Lee@Example.com  ')), '')),"
        " sha256(nullif(trim(' C0000798 '), '')), sha256(nullif(trim('   '), ''))"
    ).fetchall()[0]
    assert sql == (key_hash("email", EMAIL), key_hash("contact_id", "C0000798"), None)


@pytest.mark.parametrize(("kind", "value"), [("email", "   "), ("contact_id", ""), ("phone", "1")])
def test_nobody_is_erased_by_an_empty_value_or_an_unknown_kind(tmp_path, kind, value):
    with pytest.raises(ValueError):
        record(tmp_path / "list.csv", kind, value)
    assert not (tmp_path / "list.csv").exists()


def test_erasing_twice_records_the_person_once(tmp_path):
    path = tmp_path / "private" / "list.csv"
    assert record(path, "email", EMAIL, now=NOW) is True
    assert record(path, "email", "  ann.lee@EXAMPLE.com", now=NOW) is False
    assert record(path, "contact_id", "C0000798", now=NOW) is True
    text = path.read_text(encoding="utf-8")
    assert text == (
        "key_kind,key_hash,erased_at\n"
        f"email,{key_hash('email', EMAIL)},2025-11-02T09:30:00Z\n"
        f"contact_id,{key_hash('contact_id', 'C0000798')},2025-11-02T09:30:00Z\n"
    )
    assert "ann" not in text.lower() and "0798" not in text  # hashes only
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert suppressed_keys(path) == [
        {"key_kind": "contact_id", "key_hash": key_hash("contact_id", "C0000798")},
        {"key_kind": "email", "key_hash": key_hash("email", EMAIL)},
    ]


def test_no_list_suppresses_nobody(tmp_path):
    assert read_entries(tmp_path / "none.csv") == []
    assert suppressed_keys(tmp_path / "none.csv") == []


def test_a_damaged_list_is_named_by_file_and_line(tmp_path):
    path = tmp_path / "list.csv"
    record(path, "email", EMAIL, now=NOW)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("email,not-a-hash,2025-11-02T09:30:00Z\n")
    with pytest.raises(ValueError, match=r"list\.csv, line 3: expected <kind>,<sha-256 hex>"):
        read_entries(path)


def test_the_list_lives_outside_the_repository(tmp_path, monkeypatch):
    monkeypatch.delenv("CX_SUPPRESSION_LIST", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "cx" / "suppression_list.csv"
    assert list_path(REPO) == (tmp_path / "data" / "cx" / "suppression_list.csv").resolve()
    monkeypatch.setenv("CX_SUPPRESSION_LIST", str(tmp_path / "elsewhere.csv"))
    assert list_path(REPO) == (tmp_path / "elsewhere.csv").resolve()
    monkeypatch.setenv("CX_SUPPRESSION_LIST", str(REPO / "warehouse" / "list.csv"))
    with pytest.raises(ValueError, match="inside the repository"):
        list_path(REPO)


def _snapshot_database(path: Path) -> Path:
    """A build database holding a contacts snapshot: Ann (C1) changed her email between
    two versions, Bob (C2) has one."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema snapshots")
        con.execute(
            "create table snapshots.snapshot_crm__contacts as select * from (values"
            " ('C1', timestamp '2025-01-01', 'smb', 'ann.old@example.com'),"
            " ('C1', timestamp '2025-03-01', 'enterprise', 'ann.lee@example.com'),"
            " ('C2', timestamp '2025-02-01', 'consumer', 'bob@example.com'))"
            " as t(contact_id, updated_at, segment, email)"
        )
    return path


@pytest.mark.parametrize(
    ("kind", "value", "left"),
    [
        # By her current email: both of Ann's versions go, the one with her old email too.
        ("email", f"  {EMAIL.upper()} ", [("C2", "consumer", "bob@example.com")]),
        ("contact_id", " C2 ", [("C1", "smb", "ann.old@example.com"),
                                ("C1", "enterprise", "ann.lee@example.com")]),
    ],
)  # fmt: skip
def test_snapshots_go_to_the_new_build_database_without_the_erased_person(
    tmp_path, kind, value, left
):
    old = _snapshot_database(tmp_path / "build.duckdb")
    suppression = tmp_path / "list.csv"
    record(suppression, kind, value, now=NOW)

    carried = carry_snapshots(old, suppression, tmp_path / "kept")
    old.unlink()
    restore_snapshots(old, tmp_path / "kept", carried)

    assert carried == ["snapshots.snapshot_crm__contacts"]
    with duckdb.connect(str(old), read_only=True) as con:
        rows = con.sql(
            "select contact_id, segment, email from snapshots.snapshot_crm__contacts"
            " order by updated_at"
        ).fetchall()
        types = con.sql(
            "select data_type from duckdb_columns() where table_name = 'snapshot_crm__contacts'"
            " and column_name = 'updated_at'"
        ).fetchall()
    assert sorted(rows) == sorted(left)
    assert types == [("TIMESTAMP",)]


def test_a_build_database_without_snapshots_carries_nothing(tmp_path):
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        con.execute("create table t as select 1 as x")
    suppression = tmp_path / "list.csv"
    record(suppression, "email", EMAIL, now=NOW)
    assert carry_snapshots(tmp_path / "build.duckdb", suppression, tmp_path / "kept") == []
    assert carry_snapshots(tmp_path / "absent.duckdb", suppression, tmp_path / "kept") == []


def _identity_database(path: Path) -> Path:
    """A build database's identity links: Ann (C1) has help-desk users 11 (by her CRM
    id) and 12 (Splink, another address); Bob (C2) has 21 (by email); user 31 wrote
    from Ann's address but is linked to nobody."""
    with duckdb.connect(str(path)) as con:
        for schema in ("staging", "intermediate"):
            con.execute(f"create schema {schema}")
        con.execute(
            "create table staging.stg_crm__contacts as select * from (values"
            " ('C1', 'ann.lee@example.com'), ('C2', 'bob@example.com')) as t(contact_id, email)"
        )
        con.execute(
            "create table staging.stg_support__users as select * from (values"
            " (11, 'ann.lee@example.com', 'C1'), (12, 'ann@home.example', null),"
            " (21, 'bob@example.com', null), (31, 'ann.lee@example.com', null),"
            " (41, null, null)) as t(user_id, email, external_contact_id)"
        )
        con.execute(
            "create table intermediate.int_identity_links as select * from (values"
            " ('support_user', '11', 'C1', 'support_external_id'),"
            " ('support_user', '12', 'C1', 'splink_name_phone_email'),"
            " ('support_user', '41', 'C1', 'splink_name_phone_email'),"
            " ('support_user', '21', 'C2', 'support_email'),"
            " ('email_address', 'ann.lee@example.com', 'C1', 'unique_contact_email'))"
            " as t(record_type, record_id, customer_id, link_rule)"
        )
    return path


@pytest.mark.parametrize(("kind", "value"), [("email", EMAIL), ("contact_id", "C1")])
def test_every_help_desk_user_linked_to_the_person_by_any_method(tmp_path, kind, value):
    database = _identity_database(tmp_path / "build.duckdb")
    suppression = tmp_path / "list.csv"
    record(suppression, kind, value, now=NOW)
    # 11 by a rule, 12 and 41 by Splink (41 without an email); not Bob's 21, nor 31,
    # which shares her address but is linked to nobody (the build drops it by email).
    assert linked_users(database, suppression) == [
        ("11", "ann.lee@example.com"),
        ("12", "ann@home.example"),
        ("41", None),
    ]


def test_a_person_found_through_a_help_desk_users_address_brings_its_links(tmp_path):
    # Erased by an address only user 31 ... and 11 hold: 11's customer C1 is the person.
    database = _identity_database(tmp_path / "build.duckdb")
    suppression = tmp_path / "list.csv"
    with duckdb.connect(str(database)) as con:
        con.execute("update staging.stg_crm__contacts set email = 'ann@work.example'")
    record(suppression, "email", EMAIL, now=NOW)
    assert [user for user, _ in linked_users(database, suppression)] == ["11", "12", "41"]


def test_no_build_database_or_no_links_reads_nothing(tmp_path):
    suppression = tmp_path / "list.csv"
    record(suppression, "email", EMAIL, now=NOW)
    assert linked_users(tmp_path / "absent.duckdb", suppression) is None
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        con.execute("create table t as select 1 as x")
    assert linked_users(tmp_path / "empty.duckdb", suppression) is None
    # Links, but none to the person: nothing to record, which is not "nothing read".
    database = _identity_database(tmp_path / "build.duckdb")
    other = tmp_path / "other.csv"
    record(other, "contact_id", "C9", now=NOW)
    assert linked_users(database, other) == []


def test_linked_users_are_recorded_as_links_and_matched_as_users(tmp_path):
    suppression = tmp_path / "list.csv"
    record(suppression, "email", EMAIL, now=NOW)
    keys = linked_user_keys([("11", "ANN.LEE@example.com "), ("41", None)])
    assert keys == [
        ("linked_user_id", "11"),
        ("linked_user_email", "ANN.LEE@example.com "),
        ("linked_user_id", "41"),
    ]
    assert record_keys(suppression, keys, now=NOW) == 3
    assert record_keys(suppression, keys, now=NOW) == 0  # once only
    text = suppression.read_text(encoding="utf-8")
    assert text.splitlines()[2:] == [
        f"linked_user_id,{hashlib.sha256(b'11').hexdigest()},2025-11-02T09:30:00Z",
        f"linked_user_email,{key_hash('email', EMAIL)},2025-11-02T09:30:00Z",
        f"linked_user_id,{hashlib.sha256(b'41').hexdigest()},2025-11-02T09:30:00Z",
    ]
    # The build matches a linked user's id as a help-desk user id, its email as an email
    # (the person's own email and the linked user's are one key there).
    assert [(key["key_kind"], key["key_hash"]) for key in suppressed_keys(suppression)] == sorted(
        [
            ("email", key_hash("email", EMAIL)),
            ("user_id", hashlib.sha256(b"11").hexdigest()),
            ("user_id", hashlib.sha256(b"41").hexdigest()),
        ]
    )


def test_a_bad_value_records_nothing(tmp_path):
    suppression = tmp_path / "list.csv"
    with pytest.raises(ValueError):
        record_keys(suppression, [("linked_user_id", "11"), ("linked_user_email", " ")])
    assert not suppression.exists()
