"""Reflect every mart of a published file as a SQLAlchemy 1.4 BI tool does (Superset 6.1).

Run by ``test_publish.py`` with the interpreter of ``.venv/bi-sqla14`` (SQLAlchemy 1.4,
duckdb-engine, DuckDB 2): ``python sqlalchemy14_reflection.py BI_FILE``. Prints one JSON
object: the versions, the schemas, every mart's comment and reflected columns (name, type,
comment), what ``MetaData.reflect`` found, SQLAlchemy's warnings and one query's rows.
"""

import json
import sys
import warnings
from importlib.metadata import version

from sqlalchemy import MetaData, create_engine, inspect, text

SCHEMA = "marts"


def main(bi_file: str) -> None:
    engine = create_engine(f"duckdb:///{bi_file}", connect_args={"read_only": True})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        inspector = inspect(engine)
        tables = {
            table: {
                "comment": inspector.get_table_comment(table, schema=SCHEMA)["text"],
                "columns": [
                    [column["name"], type(column["type"]).__name__, column["comment"]]
                    for column in inspector.get_columns(table, schema=SCHEMA)
                ],
            }
            for table in inspector.get_table_names(schema=SCHEMA)
        }
        metadata = MetaData()
        metadata.reflect(engine, schema=SCHEMA)
        # The same connection pool answers a query after reflection (no aborted transaction).
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "select ticket_id, tags from marts.fct_support_tickets"
                    " where len(tags) > 0 order by ticket_id limit 1"
                )
            ).fetchall()
    engine.dispose()
    print(
        json.dumps(
            {
                "versions": {
                    name: version(name) for name in ("sqlalchemy", "duckdb-engine", "duckdb")
                },
                "schemas": inspector.get_schema_names(),
                "tables": tables,
                "reflected": {
                    table.name: [column.name for column in table.columns]
                    for table in metadata.tables.values()
                },
                "warnings": sorted(
                    {f"{warning.category.__name__}: {warning.message}" for warning in caught}
                ),
                "rows": [[row[0], row[1]] for row in rows],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
