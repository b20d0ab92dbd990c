"""Great Expectations' SQL route on DuckDB: query results buffered before GX
closes the connection.

GX 1.24's ``SqlAlchemyExecutionEngine.execute_query`` runs a query inside
``with self.get_connection()`` and returns the cursor after that block has
closed the connection. DuckDB's SQLAlchemy dialect does not buffer results, so
every metric GX reads that way comes back empty or closed (upstream issue
great_expectations#10738). Buffering the rows inside the block (SQLAlchemy's
``freeze``) is the whole fix. ``tests/pytest/test_gx_duckdb.py`` fails the day
GX no longer needs it: then delete this module and its ``install()`` call.
"""

from __future__ import annotations

from typing import Any

from great_expectations.execution_engine import SqlAlchemyExecutionEngine

UNBUFFERED = SqlAlchemyExecutionEngine.execute_query


def buffered_execute_query(self: SqlAlchemyExecutionEngine, query: Any) -> Any:
    """GX's ``execute_query``, with the rows fetched while the connection is open."""
    with self.get_connection() as connection:
        # DuckDB answers every statement with a result, so every one can be frozen.
        return self._execute_query_with_recovery(connection, query).freeze()()


def install() -> None:
    """Make every GX SQL execution engine in this process buffer its results."""
    SqlAlchemyExecutionEngine.execute_query = buffered_execute_query  # type: ignore[method-assign]
