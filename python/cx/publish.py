"""Publish the built marts to the database BI tools read, safely.

The published database (``warehouse/bi.duckdb``, schema ``marts``) is never
written in place. Each publish writes a complete new file next to it and
renames it over the old one (``os.replace``, atomic on POSIX):

- a BI tool or notebook holding the old file open keeps reading the old file
  (its open descriptor still points at it) and is never blocked: DuckDB's
  one-writer lock is on the file being written, which nobody else has open;
- a reader opening the file sees either the old marts or the new ones, never a
  mix;
- a publish killed at any moment leaves the old file untouched (the half-written
  file has another name and is removed by the next publish);
- two publishes at once are serialised by a lock file, and each renames a
  complete file.

The file is written in DuckDB storage format ``v1.0.0`` so BI drivers built on
DuckDB 1.x can open it (files in the 2.x format cannot be read by 1.x). Each
mart is also exported to Parquet under ``warehouse/bi_parquet/`` (a symlink
swapped atomically to a fresh folder) for tools without a DuckDB driver.

Every mart and column carries its dbt description as a DuckDB comment
(``COMMENT ON``): dbt writes them into the build database (``persist_docs``),
and publishing copies them, since ``create table ... as select`` does not. BI
tools show them (Superset copies a column's comment into the dataset column's
description), and so does ``select * from duckdb_columns()``. Each Parquet file
holds the same descriptions as key-value metadata: ``description`` (the mart's)
and ``column_descriptions`` (a JSON object, column to description).

Personal data is not published by default: a mart column tagged as an email,
phone, name or address (``audit.personal_data_columns``, from the YAML's
``meta: {pii: ...}``) is left out of the BI file and the Parquet files unless
the publish is told to publish it (``CX_PUBLISH_PII=1``); ``meta.publication``
records which, and which columns were left out. Free text (verbatims) is
published and documented as possibly holding personal data.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cx import paths
from cx.personal_data import WITHHELD_KINDS
from cx.sql_text import identifier, string_literal

BI_STORAGE_VERSION = "v1.0.0"
SCHEMA = paths.MARTS_SCHEMA


@dataclass(frozen=True)
class Publication:
    database: Path
    parquet_dir: Path
    marts: dict[str, int]  # mart: rows
    published_at: dt.datetime
    undescribed: tuple[str, ...] = ()  # `mart` or `mart.column` the build left without a comment
    withheld: tuple[str, ...] = ()  # `mart.column` left out as personal data


@dataclass(frozen=True)
class Description:
    """A mart's comment and its columns', in column order (None where there is none)."""

    table: str | None
    columns: dict[str, str | None]

    def missing(self, mart: str) -> list[str]:
        return ([mart] if not self.table else []) + [
            f"{mart}.{column}" for column, comment in self.columns.items() if not comment
        ]


META_DESCRIPTIONS = {
    "publication": Description(
        "When the marts in schema marts were published, one row.",
        {
            "published_at": "When this file was written (UTC, without a time zone).",
            "storage_version": "The DuckDB storage format of this file: DuckDB 1.x and later"
            " clients open it.",
            "is_stale_allowed": "True when the run was told to publish even if an extract is"
            " past its error age (cx build --allow-stale); see stale_extracts.",
            "stale_extracts": "The extracts (<system>/<table>) past their error age when these"
            " marts were published (dbt source freshness, run by cx build): empty unless"
            " is_stale_allowed; null when the publish did not measure it (cx publish).",
            "is_personal_data_published": "True when the marts' emails, phones, names and"
            " addresses were published as told (CX_PUBLISH_PII=1); false by default, when"
            " withheld_columns lists the columns left out.",
            "withheld_columns": "The mart columns (<mart>.<column>) left out of this file and"
            " the Parquet files as personal data (tagged email, phone, name or address in"
            " the dbt YAML); empty when is_personal_data_published.",
            "email_hash_status": "Whether dim_customers.email_hash, the customers' salted"
            " email key, is filled: keyed with the installation's salt, or null for every"
            " customer because the build had no salt (CX_EMAIL_HASH_SALT_FILE unset).",
        },
    ),
    "published_marts": Description(
        "The marts in schema marts, one row each, with their row counts at publication.",
        {
            "mart": "Name of a table in schema marts.",
            "row_count": "Rows the mart held when it was published.",
        },
    ),
}


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(folder: Path, pattern: str, keep: set[Path]) -> None:
    """Remove what killed publishes left behind (never the current targets)."""
    for path in folder.glob(pattern):
        if path in keep:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _remove_publish_leftovers(bi_database: Path, parquet_link: Path) -> Path | None:
    """Remove the half-written BI files and Parquet folders of killed publishes, and any
    Parquet folder the link no longer points at; the current Parquet folder, kept.
    Called under the publish lock."""
    folder = bi_database.parent
    current_parquet = parquet_link.resolve() if parquet_link.is_symlink() else None
    _remove_leftovers(folder, f".{bi_database.name}.*.tmp*", set())
    _remove_leftovers(
        folder, f"{parquet_link.name}.*", {current_parquet} if current_parquet else set()
    )
    return current_parquet


def remove_publish_leftovers(bi_database: Path, parquet_link: Path) -> None:
    """What a killed publish left beside the BI file (each may hold rows of a person
    erased since): removed, under the publish lock, leaving what is published."""
    folder = bi_database.parent
    if not folder.exists():
        return
    with _exclusive(folder / ".publish.lock"):
        _remove_publish_leftovers(bi_database, parquet_link)


def published_marts(build_database: Path) -> list[str]:
    with duckdb.connect(str(build_database), read_only=True) as con:
        return [row[0] for row in con.sql(paths.MARTS_SQL).fetchall()]


def _description(con: duckdb.DuckDBPyConnection, catalog: str, mart: str) -> Description:
    """The comments of ``catalog.marts.mart`` (a table or a view) and of its columns."""
    where = [catalog, SCHEMA, mart]
    table = con.execute(
        "select comment from duckdb_tables()"
        " where database_name = ? and schema_name = ? and table_name = ?"
        " union all select comment from duckdb_views()"
        " where database_name = ? and schema_name = ? and view_name = ?",
        where + where,
    ).fetchall()
    columns = con.execute(
        "select column_name, comment from duckdb_columns()"
        " where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        where,
    ).fetchall()
    return Description(table[0][0], dict(columns))


def _write_description(
    con: duckdb.DuckDBPyConnection, table: str, description: Description
) -> None:
    """``COMMENT ON`` ``table`` (qualified, quoted) and its columns, in one transaction
    (a commit per statement made a small publish 1.7 times as slow: DECISIONLOG.md).
    DuckDB takes no bound parameters in ``comment on``: the text is a quoted literal."""
    con.begin()
    if description.table:
        con.sql(f"comment on table {table} is {string_literal(description.table)}")
    for column, comment in description.columns.items():
        if comment:
            con.sql(f"comment on column {table}.{identifier(column)} is {string_literal(comment)}")
    con.commit()


PERSONAL_DATA_COLUMNS = "audit.personal_data_columns"


def withheld_columns(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[str]]:
    """The mart columns of ``catalog`` left out as personal data, by mart: those its
    ``audit.personal_data_columns`` tags with a withheld kind. A build database without
    that table cannot say which columns hold personal data: nothing is published."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where database_name = ?"
        " and schema_name = 'audit' and table_name = 'personal_data_columns'",
        [catalog],
    ).fetchall()[0][0]
    if not exists:
        raise ValueError(
            f"{catalog}: the build database has no {PERSONAL_DATA_COLUMNS}, so which mart"
            " columns hold personal data is unknown; nothing was published. Build it"
            " (dbt build), or publish personal data as told with CX_PUBLISH_PII=1."
        )
    rows = con.execute(
        f"select relation_name, column_name from {identifier(catalog)}.{PERSONAL_DATA_COLUMNS}"
        " where schema_name = ? and pii_kind in (select unnest(?::varchar[]))"
        " order by relation_name, column_name",
        [SCHEMA, list(WITHHELD_KINDS)],
    ).fetchall()
    withheld: dict[str, list[str]] = {}
    for mart, column in rows:
        withheld.setdefault(mart, []).append(column)
    return withheld


def _email_hash_status(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> str:
    """Whether ``dim_customers.email_hash`` is filled, as the published rows show."""
    if "email_hash" not in columns:
        return "no dim_customers.email_hash in this build"
    emails, hashes = con.sql(f"select count(email), count(email_hash) from {table}").fetchall()[0]
    if hashes:
        return "HMAC-SHA-256 of the normalised email, keyed with the installation's salt"
    if emails:
        return "null: the build had no salt (CX_EMAIL_HASH_SALT_FILE unset)"
    return "null: no customer has an email"


def _parquet_metadata(description: Description) -> str:
    """The ``kv_metadata`` option of ``copy ... (format parquet)``: the descriptions."""
    columns = {column: comment for column, comment in description.columns.items() if comment}
    return (
        f"kv_metadata {{description: {string_literal(description.table or '')},"
        f" column_descriptions: {string_literal(json.dumps(columns, ensure_ascii=False))}}}"
    )


def publish(
    build_database: Path,
    bi_database: Path,
    parquet_link: Path,
    *,
    is_stale_allowed: bool = False,
    stale_extracts: tuple[str, ...] | None = None,
    is_personal_data_published: bool = False,
) -> Publication:
    """Copy every table of the build database's ``marts`` schema to a new BI database
    and Parquet folder, then swap both in atomically. Columns tagged as an email,
    phone, name or address are left out unless ``is_personal_data_published``.
    ``meta.publication`` records whether stale extracts were allowed and which were
    past their error age, and whether personal data was published."""
    folder = bi_database.parent
    folder.mkdir(parents=True, exist_ok=True)
    with _exclusive(folder / ".publish.lock"):
        current_parquet = _remove_publish_leftovers(bi_database, parquet_link)
        stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        token = f"{stamp:%Y%m%dT%H%M%S%f}.{os.getpid()}"
        staging_file = folder / f".{bi_database.name}.{token}.tmp"
        parquet_dir = folder / f"{parquet_link.name}.{token}"
        parquet_dir.mkdir()
        marts = published_marts(build_database)
        rows: dict[str, int] = {}
        undescribed: list[str] = []
        withheld_published: list[str] = []
        email_hash_status = "no dim_customers in this build"
        # Attached under its own name: views among the marts name their tables
        # with the build database's catalog, which is the file's stem.
        catalog = build_database.stem
        build = identifier(catalog)
        if catalog == "bi":
            raise ValueError(f"{build_database}: a build database cannot be named bi.duckdb")
        with duckdb.connect(config=paths.duckdb_settings()) as con:
            con.sql(f"attach {string_literal(build_database)} as {build} (read_only)")
            con.sql(
                f"attach {string_literal(staging_file)} as bi"
                f" (storage_version {string_literal(BI_STORAGE_VERSION)})"
            )
            con.sql(f"create schema bi.{SCHEMA}")
            withheld = {} if is_personal_data_published else withheld_columns(con, catalog)
            for mart in marts:
                columns = _columns(con, catalog, mart)
                left_out = [column for column in withheld.get(mart, []) if column in columns]
                excluded = (
                    f" exclude ({', '.join(identifier(c) for c in left_out)})" if left_out else ""
                )
                con.sql(
                    f"create table bi.{SCHEMA}.{mart} as"
                    f" select *{excluded} from {build}.{SCHEMA}.{mart}"
                )
                withheld_published += [f"{mart}.{column}" for column in left_out]
                rows[mart] = con.sql(f"select count(*) from bi.{SCHEMA}.{mart}").fetchall()[0][0]
                if mart == "dim_customers":
                    email_hash_status = _email_hash_status(
                        con, f"{build}.{SCHEMA}.dim_customers", columns
                    )
                full = _description(con, catalog, mart)
                description = Description(
                    full.table,
                    {c: text for c, text in full.columns.items() if c not in left_out},
                )
                undescribed += description.missing(mart)
                _write_description(con, f"bi.{SCHEMA}.{identifier(mart)}", description)
                con.sql(
                    f"copy bi.{SCHEMA}.{mart} to {string_literal(parquet_dir / f'{mart}.parquet')}"
                    f" (format parquet, {_parquet_metadata(description)})"
                )
            con.sql("create schema bi.meta")
            stale = "null::varchar[]" if stale_extracts is None else _varchar_list(stale_extracts)
            con.sql(
                "create table bi.meta.publication as select"
                f" timestamp '{stamp.isoformat(sep=' ')}' as published_at,"
                f" '{BI_STORAGE_VERSION}' as storage_version,"
                f" {'true' if is_stale_allowed else 'false'} as is_stale_allowed,"
                f" {stale} as stale_extracts,"
                f" {'true' if is_personal_data_published else 'false'}"
                " as is_personal_data_published,"
                f" {_varchar_list(withheld_published)} as withheld_columns,"
                f" {string_literal(email_hash_status)} as email_hash_status"
            )
            con.sql(
                "create table bi.meta.published_marts as select * from (values "
                + ", ".join(f"('{mart}', {count})" for mart, count in rows.items())
                + ") as published (mart, row_count)"
                if rows
                else "create table bi.meta.published_marts (mart varchar, row_count bigint)"
            )
            for table, description in META_DESCRIPTIONS.items():
                _write_description(con, f"bi.meta.{identifier(table)}", description)
            con.sql("detach bi")
        with staging_file.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staging_file, bi_database)
        link = folder / f".{parquet_link.name}.{token}.link"
        link.symlink_to(parquet_dir.name)
        if parquet_link.exists() and not parquet_link.is_symlink():
            shutil.rmtree(parquet_link)  # a folder from before links were used
        os.replace(link, parquet_link)
        if current_parquet and current_parquet != parquet_dir:
            shutil.rmtree(current_parquet, ignore_errors=True)
        return Publication(
            bi_database, parquet_link, rows, stamp, tuple(undescribed), tuple(withheld_published)
        )


def _varchar_list(values: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(string_literal(value) for value in values) + "]::varchar[]"


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, mart: str) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() where database_name = ?"
            " and schema_name = ? and table_name = ? order by column_index",
            [catalog, SCHEMA, mart],
        ).fetchall()
    ]
