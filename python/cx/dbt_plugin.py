"""The dbt-duckdb plugin of this project (``profiles.yml``: ``plugins``).

It registers on dbt's DuckDB connection ``cx_extract_files_problem(files,
columns, csv_options, max_share)``, so that the loader macro can ask
``cx.extract_check`` what is wrong with an extract's new files before DuckDB's
own reader stops on them, ``cx_folder_entries(path)``, which lists a folder
extract's files, ``cx_file_size(path)`` and ``cx_file_hash(path)``, with which
the loader tells the extract files it has already loaded from new or changed
ones (``cx.extract_files``), and, for malformed lines (``cx.malformed_lines``),
``cx_csv_readers(files, csv_options)`` (the unsniffed readers of CSV files),
``cx_line_numbers(path, byte_positions)`` and ``cx_malformed_line_detail(error_type)``,
and ``cx_email_hash(email)``, the published key of a customer's email: HMAC-SHA-256 of
the normalised email keyed with the salt ``CX_EMAIL_HASH_SALT_FILE`` names, null without
one (``cx.personal_data``), and ``cx_suppressed_keys()``, the suppression list's
``kind:hash`` entries (``cx.erasure``), which the loader drops the lines of.
"""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection, list_type
from duckdb.sqltypes import BIGINT, DOUBLE, VARCHAR

from cx import paths
from cx.erasure import list_path, suppressed_keys
from cx.extract_check import extract_files_problem
from cx.extract_files import file_hash, file_size, folder_entries
from cx.malformed_lines import csv_readers, error_detail, line_numbers
from cx.personal_data import email_hash, email_hash_salt


def checked_extract_files_problem(
    files: list[str], columns: list[str], csv_options: str, max_share: float = 0.01
) -> str | None:
    """``extract_files_problem``, or, when the check itself fails, a message naming the
    file (the first, when there are several) and the kind of failure: DuckDB would
    otherwise print the Python error's text."""
    try:
        return extract_files_problem(files, columns, csv_options, max_share)
    except Exception as error:  # any failure must stop the run, in the project's words
        where = files[0] if len(files) == 1 else f"{len(files)} files from {files[0]}"
        return f"Extract {where} could not be checked ({type(error).__name__})."


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.create_function(
            "cx_extract_files_problem",
            checked_extract_files_problem,
            [list_type(VARCHAR), list_type(VARCHAR), VARCHAR, DOUBLE],
            VARCHAR,
            null_handling="special",
            side_effects=True,
        )
        for name, function, returns in (
            ("cx_file_size", file_size, BIGINT),
            ("cx_file_hash", file_hash, VARCHAR),
        ):
            conn.create_function(name, function, [VARCHAR], returns, side_effects=True)
        conn.create_function(
            "cx_folder_entries",
            folder_entries,
            [VARCHAR],
            list_type(VARCHAR),
            null_handling="special",  # null: no such folder
            side_effects=True,
        )
        conn.create_function(
            "cx_csv_readers",
            csv_readers,
            [list_type(VARCHAR), VARCHAR],
            list_type(VARCHAR),
            side_effects=True,
        )
        conn.create_function(
            "cx_line_numbers",
            line_numbers,
            [VARCHAR, list_type(BIGINT)],
            list_type(BIGINT),
            side_effects=True,
        )
        conn.create_function("cx_malformed_line_detail", error_detail, [VARCHAR], VARCHAR)
        conn.create_function(
            "cx_suppressed_keys",
            lambda: [
                f"{key['key_kind']}:{key['key_hash']}"
                for key in suppressed_keys(list_path(paths.REPO_ROOT))
            ],
            [],
            list_type(VARCHAR),
            side_effects=True,
        )
        # A salt file that is set but unusable stops every run here, before anything is built.
        salt = email_hash_salt(paths.REPO_ROOT).value
        conn.create_function(
            "cx_email_hash",
            lambda email: email_hash(email, salt),
            [VARCHAR],
            VARCHAR,
            null_handling="special",
        )
