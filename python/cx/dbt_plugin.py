"""The dbt-duckdb plugin of this project (``profiles.yml``: ``plugins``).

It registers ``cx_extract_problem(path, reader_sql)`` on dbt's DuckDB
connection, so that the loader macro can ask ``cx.extract_check`` what is
wrong with an extract before DuckDB's own reader stops on it.
"""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection
from duckdb.sqltypes import VARCHAR

from cx.extract_check import extract_problem


def checked_extract_problem(path: str, reader_sql: str) -> str | None:
    """``extract_problem``, or, when the check itself fails, a message naming the file and
    the kind of failure: DuckDB would otherwise print the Python error's text."""
    try:
        return extract_problem(path, reader_sql)
    except Exception as error:  # any failure must stop the run, in the project's words
        return f"Extract {path} could not be checked ({type(error).__name__})."


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.create_function(
            "cx_extract_problem",
            checked_extract_problem,
            [VARCHAR, VARCHAR],
            VARCHAR,
            null_handling="special",
            side_effects=True,
        )
