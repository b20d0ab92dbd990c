"""Extracts written as folders of delta files: one file per N days of each line's moment.

An extract may be a folder ``<dir>/<system>/<table>/`` of files read as one
table (docs/contract/raw-extracts.md). ``write_delta_folders`` splits single-file
extracts into such folders: a line goes to the file of the N-day window its own
moment falls in (UTC), named after the window's first day (``2025-03-01.csv``);
windows are counted from 1970-01-01, so the same line lands in the same file
whatever else the extract holds. A line whose moment is missing or does not
parse as a timestamp, and every line of an extract without a moment (survey
definitions), goes to ``undated.csv``; an extract without lines is one
header-only ``undated.csv``. The lines of all files together are exactly the
lines of the single file.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import duckdb

from cx.contract import EXTRACTS
from cx.sql_text import string_literal

# The column that says when an extract line came to be (the contract's ``moment``).
LINE_MOMENT = {f"{extract.system}/{extract.table}": extract.moment for extract in EXTRACTS}

UNDATED = "undated"

_READ = "read_csv({path}, header = true, all_varchar = true, strict_mode = true)"
_WRITE = "format csv, header true, quote '\"', escape '\"'"


def _read(path: Path) -> str:
    return _READ.format(path=string_literal(path))


def _window_sql(moment: str | None, days_per_file: int) -> str:
    """The name (without extension) of the file a line goes to."""
    if moment is None:
        return f"'{UNDATED}'"
    at = f"try_cast({moment} as timestamptz)"
    window = f"floor(epoch({at}) / {86400 * days_per_file})"
    first_day = f"date '1970-01-01' + ({window} * {days_per_file})::integer"
    return f"coalesce(strftime({first_day}, '%Y-%m-%d'), '{UNDATED}')"


def write_delta_folders(source: Path, target: Path, days_per_file: int) -> dict[str, int]:
    """Write each single-file CSV extract of ``source`` as a folder of delta files under
    ``target``. Returns the number of files written per extract."""
    if days_per_file < 1:
        raise ValueError("days_per_file must be 1 or more")
    written = {}
    with duckdb.connect() as con, tempfile.TemporaryDirectory() as scratch:
        con.execute("set TimeZone = 'UTC'")
        for extract in EXTRACTS:
            name = f"{extract.system}/{extract.table}"
            path = source / extract.system / f"{extract.table}.csv"
            if not path.exists():
                raise FileNotFoundError(f"{path}: extract missing (see docs/contract)")
            folder = target / extract.system / extract.table
            folder.mkdir(parents=True, exist_ok=True)
            if con.sql(f"select count(*) from {_read(path)}").fetchall()[0][0] == 0:
                shutil.copyfile(path, folder / f"{UNDATED}.csv")
                written[name] = 1
                continue
            parts = Path(scratch) / extract.system / extract.table
            parts.parent.mkdir(parents=True, exist_ok=True)
            window = _window_sql(LINE_MOMENT[name], days_per_file)
            con.execute(
                f"copy (select *, {window} as _delta_file from {_read(path)})"
                f" to {string_literal(parts)}"
                f" ({_WRITE}, partition_by (_delta_file), write_partition_columns false)"
            )
            written[name] = 0
            for part in sorted(parts.iterdir()):
                (file,) = part.iterdir()  # one file per partition: nothing splits them further
                shutil.move(file, folder / f"{part.name.removeprefix('_delta_file=')}.csv")
                written[name] += 1
    return written


def first_day(file: Path) -> dt.date | None:
    """The first day of a delta file's window, from its name; None when undated."""
    return None if file.stem == UNDATED else dt.date.fromisoformat(file.stem)


def latest_day(extracts: Path) -> dt.date:
    """The first day of the latest activities delta file: "the last day" of the extracts."""
    days = [
        day for file in (extracts / "crm" / "activities").glob("*.csv") if (day := first_day(file))
    ]
    if not days:
        raise ValueError(f"{extracts}: crm/activities holds no dated delta file")
    return max(days)


def copy_until(source: Path, target: Path, cutoff: dt.date) -> int:
    """Copy the delta-folder extracts of ``source`` to ``target`` without the dated files
    whose window starts on or after ``cutoff`` (undated files are kept): the extracts as
    they stood before ``cutoff``. Returns the number of files held back."""
    held_back = 0
    for extract in EXTRACTS:
        folder = source / extract.system / extract.table
        (target / extract.system / extract.table).mkdir(parents=True, exist_ok=True)
        for file in sorted(folder.iterdir()):
            day = first_day(file)
            if day is not None and day >= cutoff:
                held_back += 1
                continue
            shutil.copyfile(file, target / extract.system / extract.table / file.name)
    return held_back
