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


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.create_function(
            "cx_extract_problem",
            extract_problem,
            [VARCHAR, VARCHAR],
            VARCHAR,
            null_handling="special",
            side_effects=True,
        )
