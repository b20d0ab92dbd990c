"""Where the warehouse lives. Everything is relative to the repository root."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CDNOW_SAMPLE = REPO_ROOT / "tests" / "pytest" / "fixtures" / "cdnow" / "CDNOW_sample.txt"


def build_database() -> Path:
    """The DuckDB file dbt builds into (``CX_BUILD_DB`` overrides it)."""
    return Path(os.environ.get("CX_BUILD_DB", REPO_ROOT / "warehouse" / "build.duckdb"))
