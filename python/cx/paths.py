"""Where the warehouse lives. Everything is relative to the repository root."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CDNOW_SAMPLE = REPO_ROOT / "tests" / "pytest" / "fixtures" / "cdnow" / "CDNOW_sample.txt"


def build_database() -> Path:
    """The DuckDB file dbt builds into (``CX_BUILD_DB`` overrides it)."""
    return Path(os.environ.get("CX_BUILD_DB", REPO_ROOT / "warehouse" / "build.duckdb"))


def bi_database() -> Path:
    """The published database BI tools read (``CX_BI_DB`` overrides it)."""
    return Path(os.environ.get("CX_BI_DB", REPO_ROOT / "warehouse" / "bi.duckdb"))


def bi_parquet() -> Path:
    """The published marts as Parquet files, beside the BI database."""
    return bi_database().parent / "bi_parquet"


def gate_docs() -> Path:
    """Where the quality gate keeps its Great Expectations project and Data Docs."""
    return build_database().parent / "gx"


def model_cache() -> Path:
    """Where a build keeps what it derives from installed packages to load them faster
    (``CX_CACHE_DIR`` overrides it; nothing in it comes from the extracts)."""
    return Path(os.environ.get("CX_CACHE_DIR", build_database().parent / "cache"))


def duckdb_settings() -> dict[str, str]:
    """DuckDB's threads and memory limit, the same variables and defaults as
    ``profiles.yml``: the gate and the publish stay inside what the build may use."""
    return {
        "threads": os.environ.get("CX_DUCKDB_THREADS", "2"),
        "memory_limit": os.environ.get("CX_DUCKDB_MEMORY_LIMIT", "2GB"),
    }


MARTS_SCHEMA = "marts"
# The marts of a build database: its tables and views (a mart can be a view
# over an incremental table; publishing copies it into a table).
MARTS_SQL = (
    f"select table_name from duckdb_tables() where schema_name = '{MARTS_SCHEMA}'"
    f" union select view_name from duckdb_views() where schema_name = '{MARTS_SCHEMA}'"
    " and not internal order by 1"
)
