"""Values and names pasted into SQL text, quoted so that they stay values and names.

DuckDB takes no bound parameters in ``attach``, ``copy ... to``, a table
function's path or ``comment on``, so paths and descriptions are written into
the statement: a folder named ``it's here`` must not end the string literal.
"""

from __future__ import annotations

from pathlib import PurePath


def string_literal(value: str | PurePath) -> str:
    """``value`` as a SQL string literal: single quotes, each quote in it doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier: double quotes, each double quote in it doubled."""
    return '"' + name.replace('"', '""') + '"'
