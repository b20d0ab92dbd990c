"""GX's SQL route on DuckDB needs its results buffered (cx.gx_duckdb).

The first test fails the day GX returns DuckDB's rows without help: then the
override has no reason to exist and cx.gx_duckdb should go.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from great_expectations.execution_engine import SqlAlchemyExecutionEngine

from cx import gx_duckdb


@pytest.fixture
def engine(tmp_path: Path) -> SqlAlchemyExecutionEngine:
    database = tmp_path / "three.duckdb"
    with duckdb.connect(str(database)) as con:
        con.sql("create table numbers as select range as n from range(3)")
    engine = SqlAlchemyExecutionEngine(
        connection_string=f"duckdb:///{database}", create_temp_table=False
    )
    yield engine
    engine.engine.dispose()


QUERY = sa.text("select count(*) as rows, sum(n) as total from numbers")


def _read(result: sa.Result) -> list[tuple[int, int]] | str:
    try:
        return [tuple(row) for row in result.fetchall()]
    except sa.exc.SQLAlchemyError as error:  # a closed result
        return type(error).__name__


def test_without_the_override_gx_loses_duckdb_results(engine):
    read = _read(gx_duckdb.UNBUFFERED(engine, QUERY))
    # Fails once GX returns [(3, 3)] by itself: then delete cx.gx_duckdb.
    assert read != [(3, 3)], "GX now reads DuckDB without the buffering override: remove it"
    assert read == [] or isinstance(read, str)


def test_with_the_override_gx_reads_every_row(engine):
    # 3 rows, 0 + 1 + 2 = 3
    assert _read(gx_duckdb.buffered_execute_query(engine, QUERY)) == [(3, 3)]


def test_install_makes_every_engine_buffer(engine, monkeypatch):
    monkeypatch.setattr(SqlAlchemyExecutionEngine, "execute_query", gx_duckdb.UNBUFFERED)
    gx_duckdb.install()
    assert SqlAlchemyExecutionEngine.execute_query is gx_duckdb.buffered_execute_query
    assert _read(engine.execute_query(QUERY)) == [(3, 3)]
