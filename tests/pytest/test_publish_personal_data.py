"""Publishing leaves personal data out by default: a build database made by hand (no
dbt), published with and without CX_PUBLISH_PII's consent."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cx.publish import publish

PERSON = ("C001", "ann.lee@example.com", "Ann", "Lee", "smb")


def _build_database(path: Path, *, tagged: bool = True, email_hash: str | None = None) -> Path:
    with duckdb.connect(str(path)) as con:
        con.sql("create schema marts")
        con.sql(
            "create table marts.dim_customers (customer_id varchar, email varchar,"
            " email_hash varchar, first_name varchar, last_name varchar, segment varchar)"
        )
        con.execute(
            "insert into marts.dim_customers values (?, ?, ?, ?, ?, ?)",
            [PERSON[0], PERSON[1], email_hash, PERSON[2], PERSON[3], PERSON[4]],
        )
        con.sql("comment on column marts.dim_customers.email is 'Normalised email.'")
        con.sql("create table marts.mart_agent_performance (agent_id bigint, agent_name varchar)")
        con.sql("insert into marts.mart_agent_performance values (7, 'Sam Agent')")
        con.sql(
            "create table marts.fct_survey_responses (response_id varchar, comment_text varchar)"
        )
        con.sql("insert into marts.fct_survey_responses values ('R1', 'Ann here, call me')")
        if tagged:
            con.sql("create schema audit")
            con.sql(
                "create table audit.personal_data_columns as select * from (values"
                " ('model', 'marts', 'dim_customers', 'email', 'email'),"
                " ('model', 'marts', 'dim_customers', 'first_name', 'name'),"
                " ('model', 'marts', 'dim_customers', 'last_name', 'name'),"
                " ('model', 'marts', 'mart_agent_performance', 'agent_name', 'name'),"
                " ('model', 'marts', 'fct_survey_responses', 'comment_text', 'free_text'),"
                " ('model', 'staging', 'dim_customers', 'segment', 'name'))"  # another schema
                " as t (resource_type, schema_name, relation_name, column_name, pii_kind)"
            )
    return path


def _published(bi: Path) -> tuple[dict[str, list[str]], tuple]:
    with duckdb.connect(str(bi), read_only=True) as con:
        columns: dict[str, list[str]] = {}
        for table, column in con.sql(
            "select table_name, column_name from duckdb_columns()"
            " where schema_name = 'marts' order by table_name, column_index"
        ).fetchall():
            columns.setdefault(table, []).append(column)
        publication = con.sql(
            "select is_personal_data_published, withheld_columns, email_hash_status"
            " from meta.publication"
        ).fetchall()[0]
    return columns, publication


def _parquet_columns(folder: Path, mart: str) -> list[str]:
    return [
        row[0]
        for row in duckdb.sql(
            "select name from parquet_schema(?) where name != 'duckdb_schema'",
            params=[str(folder / f"{mart}.parquet")],
        ).fetchall()
    ]


def test_by_default_emails_and_names_are_left_out_of_the_file_and_the_parquet(tmp_path):
    build = _build_database(tmp_path / "build.duckdb")
    bi = tmp_path / "bi" / "bi.duckdb"

    publication = publish(build, bi, bi.parent / "bi_parquet")

    columns, recorded = _published(bi)
    assert columns == {
        "dim_customers": ["customer_id", "email_hash", "segment"],
        "fct_survey_responses": ["response_id", "comment_text"],  # free text is published
        "mart_agent_performance": ["agent_id"],
    }
    for mart, published in columns.items():
        assert _parquet_columns(bi.parent / "bi_parquet", mart) == published
    withheld = [
        "dim_customers.email",
        "dim_customers.first_name",
        "dim_customers.last_name",
        "mart_agent_performance.agent_name",
    ]
    assert list(publication.withheld) == withheld
    assert recorded == (
        False,
        withheld,
        "null: the build had no salt (CX_EMAIL_HASH_SALT_FILE unset)",
    )
    # No byte of the withheld values is in the published file or the Parquet files.
    files = [bi, *sorted((bi.parent / "bi_parquet").glob("*.parquet"))]
    for value in (PERSON[1], "Lee", "Sam Agent"):
        assert not any(value.encode() in path.read_bytes() for path in files), value


def test_asked_for_personal_data_is_published_and_recorded(tmp_path):
    build = _build_database(tmp_path / "build.duckdb", email_hash="ab" * 32)
    bi = tmp_path / "bi" / "bi.duckdb"

    publication = publish(build, bi, bi.parent / "bi_parquet", is_personal_data_published=True)

    columns, recorded = _published(bi)
    assert columns["dim_customers"] == [
        "customer_id", "email", "email_hash", "first_name", "last_name", "segment",
    ]  # fmt: skip
    assert columns["mart_agent_performance"] == ["agent_id", "agent_name"]
    assert publication.withheld == ()
    assert recorded == (
        True,
        [],
        "HMAC-SHA-256 of the normalised email, keyed with the installation's salt",
    )
    with duckdb.connect(str(bi), read_only=True) as con:
        assert con.sql("select email from marts.dim_customers").fetchall() == [(PERSON[1],)]


def test_a_build_that_cannot_say_which_columns_are_personal_publishes_nothing(tmp_path):
    build = _build_database(tmp_path / "build.duckdb", tagged=False)
    bi = tmp_path / "bi" / "bi.duckdb"

    with pytest.raises(ValueError, match=r"no audit\.personal_data_columns"):
        publish(build, bi, bi.parent / "bi_parquet")

    assert not bi.exists()
