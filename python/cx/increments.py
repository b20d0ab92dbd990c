"""Extracts as they stood at an earlier moment: the day before "one more day".

Incremental builds are measured and tested by building the extracts as they
stood before a cutoff, then the full extracts. Each extract keeps the lines
whose own moment (below) is before the cutoff; lines whose moment does not
parse are kept in both, so that row-level defects reach the quarantine either
way. Survey definitions have no moment and are kept whole.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from cx.contract import EXTRACTS
from cx.sql_text import string_literal

# The column that says when an extract line came to be.
LINE_MOMENT = {
    "crm/contacts": "updated_at",
    "crm/orders": "ordered_at",
    "crm/activities": "occurred_at",
    "support/users": "created_at",
    "support/tickets": "created_at",
    "support/ticket_events": "created_at",
    "survey/surveys": None,
    "survey/responses": "recorded_date",
}

_READ = "read_csv({path}, header = true, all_varchar = true, strict_mode = true)"


def _read(path: Path) -> str:
    return _READ.format(path=string_literal(path))


_WRITE = "(format csv, header true, quote '\"', escape '\"')"


def latest_moment(extracts: Path) -> dt.datetime:
    """The latest activity in the extracts (UTC): where "the last day" ends."""
    path = extracts / "crm" / "activities.csv"
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        found = con.sql(
            f"select max(try_cast(occurred_at as timestamptz)) from {_read(path)}"
        ).fetchall()[0][0]
    if found is None:
        raise ValueError(f"{path}: no parseable occurred_at, so no latest day to split at")
    return found


def write_extracts_until(source: Path, target: Path, cutoff: dt.datetime) -> dict[str, int]:
    """Write to ``target`` the CSV extracts of ``source`` as they stood before ``cutoff``.

    Returns the number of lines left out per extract.
    """
    left_out = {}
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        for extract in EXTRACTS:
            name = f"{extract.system}/{extract.table}"
            path = source / extract.system / f"{extract.table}.csv"
            if not path.exists():
                raise FileNotFoundError(f"{path}: extract missing (see docs/contract)")
            (target / extract.system).mkdir(parents=True, exist_ok=True)
            moment = LINE_MOMENT[name]
            keep = (
                "true"
                if moment is None
                else f"coalesce(try_cast({moment} as timestamptz) < $cutoff, true)"
            )
            reader = _read(path)
            out = target / extract.system / f"{extract.table}.csv"
            con.execute(
                f"copy (select * from {reader} where {keep}) to {string_literal(out)} {_WRITE}",
                {"cutoff": cutoff} if moment else None,
            )
            total = con.sql(f"select count(*) from {reader}").fetchall()[0][0]
            kept = con.sql(f"select count(*) from {_read(out)}").fetchall()[0][0]
            left_out[name] = total - kept
    return left_out
