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
    list_path,
    read_entries,
    record,
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
