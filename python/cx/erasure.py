"""Erasure on request: the suppression list.

``cx erase --email ADDRESS`` (or ``--customer-id ID``) records the person in the
suppression list, a CSV file kept outside the repository (``CX_SUPPRESSION_LIST``;
by default ``$XDG_DATA_HOME/cx/suppression_list.csv``, ``~/.local/share/cx/...``).
The list holds no address and no id: each entry is the kind of key (``email`` or
``contact_id``) and the SHA-256 of the normalised value (an email trimmed and in
lower case, an id trimmed), with the moment it was recorded. Every build reads it
(``cx_suppressed_keys()``, registered by the dbt plugin) and drops the person's
lines as the extracts are loaded (macros/loading/suppression.sql).

The list is what keeps an erased person erased when old extracts are delivered
again: back it up with the same care as the extracts.

Before the rebuild, ``cx erase`` also records every help-desk user that the current
build database links to a person of the list, by any identity rule or by Splink's
probabilistic match (:func:`linked_users`): their user id and email, as kinds
``linked_user_id`` and ``linked_user_email``, so the list says they came from a link.
A build drops their lines as it drops a user found by email (``user_id`` and ``email``
keys), even once the person's own lines, from which the link was made, are gone.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

SETTING = "CX_SUPPRESSION_LIST"
# The kinds of key the list records, and the kind of key the build matches each by
# (macros/staging/staged_extracts.sql, `person_keys`): a linked help-desk user is
# dropped by user id and email like one found by email.
BUILD_KINDS = {
    "email": "email",
    "contact_id": "contact_id",
    "linked_user_id": "user_id",
    "linked_user_email": "email",
}
KINDS = tuple(BUILD_KINDS)
EMAIL_KINDS = ("email", "linked_user_email")
HEADER = ("key_kind", "key_hash", "erased_at")


def default_path() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(data_home) if data_home else Path.home() / ".local" / "share"
    return base / "cx" / "suppression_list.csv"


def list_path(repo_root: Path | None = None) -> Path:
    """The suppression list's path: ``CX_SUPPRESSION_LIST``, else :func:`default_path`.
    A path inside the repository is refused: the list must never be committed."""
    setting = os.environ.get(SETTING, "").strip()
    path = (Path(setting).expanduser() if setting else default_path()).resolve()
    if repo_root is not None and path.is_relative_to(repo_root.resolve()):
        raise ValueError(f"{SETTING}={path} lies inside the repository: keep the list outside it")
    return path


def normalised(kind: str, value: str) -> str:
    """The value as the extracts are matched against it: an email trimmed and in lower
    case, an id trimmed. An empty value is refused."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of key {kind!r}; one of {', '.join(KINDS)}")
    text = value.strip()
    if kind in EMAIL_KINDS:
        text = text.lower()
    if not text:
        raise ValueError(f"an empty {kind} identifies nobody")
    return text


def key_hash(kind: str, value: str) -> str:
    """SHA-256 (hex) of the normalised value, as SQL computes it: ``sha256(lower(trim(x)))``
    for an email, ``sha256(trim(x))`` for an id."""
    return hashlib.sha256(normalised(kind, value).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entry:
    kind: str
    hash: str
    erased_at: str


def read_entries(path: Path) -> list[Entry]:
    """The list's entries; none when the file does not exist. A malformed line raises,
    naming the file and the line (the list holds hashes only: nothing to hide)."""
    if not path.exists():
        return []
    entries = []
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        header = next(rows, None)
        if header is None:
            return []
        if tuple(header) != HEADER:
            raise ValueError(f"{path}, line 1: the header must be {','.join(HEADER)}")
        for number, row in enumerate(rows, start=2):
            if len(row) != len(HEADER) or row[0] not in KINDS or not _is_sha256(row[1]):
                raise ValueError(
                    f"{path}, line {number}: expected <kind>,<sha-256 hex>,<erased at>"
                    f" with kind one of {', '.join(KINDS)}"
                )
            entries.append(Entry(row[0], row[1], row[2]))
    return entries


def _is_sha256(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def suppressed_keys(path: Path) -> list[dict[str, str]]:
    """The distinct (kind, hash) of the list, as the build reads them: each kind as the
    build matches it (``BUILD_KINDS``: a linked user's id is a ``user_id``)."""
    seen = {(BUILD_KINDS[entry.kind], entry.hash) for entry in read_entries(path)}
    return [{"key_kind": kind, "key_hash": digest} for kind, digest in sorted(seen)]


def record(path: Path, kind: str, value: str, *, now: dt.datetime | None = None) -> bool:
    """Record a person in the list; True when added, False when already there (a second
    erasure of the same person changes nothing). The file is created with its folder,
    readable by its owner only, and appended to, never rewritten."""
    return record_keys(path, [(kind, value)], now=now) == 1


def record_keys(path: Path, keys: list[tuple[str, str]], *, now: dt.datetime | None = None) -> int:
    """Record each (kind, value) of ``keys`` not in the list yet, in one append; the number
    added. Every value is checked (and hashed) before anything is written."""
    entries = read_entries(path)
    listed = {(entry.kind, entry.hash) for entry in entries}
    added: list[tuple[str, str]] = []
    for kind, value in keys:
        digest = key_hash(kind, value)
        if (kind, digest) not in listed:
            listed.add((kind, digest))
            added.append((kind, digest))
    if not added:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    is_new = not path.exists() or path.stat().st_size == 0
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        if is_new:
            writer.writerow(HEADER)
        for kind, digest in added:
            writer.writerow((kind, digest, stamp))
        handle.flush()
        os.fsync(handle.fileno())
    return len(added)


# Where a build database holds the identity links and what they point at
# (models/intermediate/identity, models/staging): one row per linked record, its
# customer, and how it was linked (a rule's name, or Splink's match).
IDENTITY_LINKS = "intermediate.int_identity_links"
CONTACTS = "staging.stg_crm__contacts"
SUPPORT_USERS = "staging.stg_support__users"


def linked_users(database: Path, list_file: Path) -> list[tuple[str, str | None]] | None:
    """Every help-desk user (user id, email or None) that ``database`` links to a person of
    the list, by any method (``int_identity_links``: the rules and Splink's probabilistic
    match). A person is each customer whose contact id or email is listed, and each
    customer linked to a help-desk user with a listed email or CRM id (as the build follows
    them). None when ``database`` does not exist or holds no identity links (nothing was
    read); an empty list when it holds no link to the listed people."""
    import duckdb

    if not database.exists():
        return None
    keys = suppressed_keys(list_file)
    emails = [key["key_hash"] for key in keys if key["key_kind"] == "email"]
    contact_ids = [key["key_hash"] for key in keys if key["key_kind"] == "contact_id"]
    with duckdb.connect(str(database), read_only=True) as con:
        present = {
            f"{schema}.{table}"
            for schema, table in con.sql(
                "select schema_name, table_name from duckdb_tables()"
                " union all select schema_name, view_name from duckdb_views()"
            ).fetchall()
        }
        if not {IDENTITY_LINKS, CONTACTS, SUPPORT_USERS} <= present:
            return None
        # The same normalisation and hash as the suppression list (key_hash).
        rows = con.execute(
            f"""
            with
            persons as (
                select contact_id as customer_id from {CONTACTS}
                where list_contains($ids, sha256(nullif(trim(contact_id), '')))
                    or list_contains($emails, sha256(nullif(lower(trim(email)), '')))
                union
                select links.customer_id from {IDENTITY_LINKS} as links
                inner join {SUPPORT_USERS} as users
                    on links.record_type = 'support_user'
                    and links.record_id = users.user_id::varchar
                where list_contains($emails, sha256(nullif(lower(trim(users.email)), '')))
                    or list_contains(
                        $ids, sha256(nullif(trim(users.external_contact_id::varchar), ''))
                    )
            )
            select distinct links.record_id, users.email
            from {IDENTITY_LINKS} as links
            left join {SUPPORT_USERS} as users on links.record_id = users.user_id::varchar
            where links.record_type = 'support_user'
                and links.customer_id in (select customer_id from persons)
            order by all
            """,
            {"emails": emails, "ids": contact_ids},
        ).fetchall()
    return [(user_id, email if email and email.strip() else None) for user_id, email in rows]


def linked_user_keys(users: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """The list's entries for linked help-desk users: each one's id, and its email if any."""
    keys = []
    for user_id, email in users:
        keys.append(("linked_user_id", user_id))
        if email is not None:
            keys.append(("linked_user_email", email))
    return keys


# dbt snapshots are state that no rebuild recreates (README, "History of customers"):
# `cx erase` replaces the build database, so they are carried over to the new one,
# without the erased people. Each is (table, its contact id column, its email column).
SNAPSHOTS = (("snapshots.snapshot_crm__contacts", "contact_id", "email"),)


def carry_snapshots(database: Path, list_file: Path, folder: Path) -> list[str]:
    """Before ``database`` is replaced: write each snapshot table it holds to Parquet in
    ``folder``, leaving out every contact any of whose rows holds a suppressed email or
    contact id (all the contact's versions, also those with an earlier email). Returns the
    tables written, for :func:`restore_snapshots`."""
    import duckdb

    if not database.exists():
        return []
    keys = suppressed_keys(list_file)
    emails = [key["key_hash"] for key in keys if key["key_kind"] == "email"]
    contact_ids = [key["key_hash"] for key in keys if key["key_kind"] == "contact_id"]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with duckdb.connect(str(database), read_only=True) as con:
        present = {
            f"{schema}.{table}"
            for schema, table in con.sql(
                "select schema_name, table_name from duckdb_tables()"
            ).fetchall()
        }
        for table, contact_id, email in SNAPSHOTS:
            if table not in present:
                continue
            # The same normalisation and hash as the suppression list (key_hash).
            con.execute(
                f"copy (select * from {table} where {contact_id} not in ("
                f" select {contact_id} from {table}"
                f" where list_contains($emails, sha256(nullif(lower(trim({email})), '')))"
                f" or list_contains($ids, sha256(nullif(trim({contact_id}), ''))))"
                f") to '{folder / table}.parquet' (format parquet)",
                {"emails": emails, "ids": contact_ids},
            )
            written.append(table)
    return written


def restore_snapshots(database: Path, folder: Path, tables: list[str]) -> None:
    """Create the carried snapshot tables in the new build database ``database``."""
    import duckdb

    if not tables:
        return
    with duckdb.connect(str(database)) as con:
        for table in tables:
            schema = table.split(".", 1)[0]
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {table} as from read_parquet('{folder / table}.parquet')")
