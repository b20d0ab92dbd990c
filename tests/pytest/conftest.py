"""Helpers for tests that run the real pipeline: dbt in its own process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
TINY = Path(__file__).parent / "extracts" / "tiny"
DBT = Path(sys.executable).with_name("dbt")


@dataclass
class Build:
    returncode: int
    output: str
    database: Path

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.sql(sql).fetchall()


def build_env(workdir: Path, extracts_dir: Path | None, **extra: str) -> dict[str, str]:
    """The environment of a build into a database, target and log folder under ``workdir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CX_")}
    if extracts_dir is not None:
        env["CX_EXTRACTS_DIR"] = str(extracts_dir)
    env.update(
        CX_BUILD_DB=str(workdir / "build.duckdb"),
        DBT_TARGET_PATH=str(workdir / "target"),
        DBT_LOG_PATH=str(workdir / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    env.update(extra)
    return env


def dbt_build(workdir: Path, extracts_dir: Path | None, *args: str, **extra: str) -> Build:
    """`dbt build` from the repository root into a database of its own under ``workdir``."""
    env = build_env(workdir, extracts_dir, **extra)
    proc = subprocess.run(
        [str(DBT), "build", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return Build(proc.returncode, proc.stdout + proc.stderr, Path(env["CX_BUILD_DB"]))


def copy_build(build: Build, target: Path, *changes: str) -> Path:
    """A copy of a built database at ``target``, with SQL ``changes`` applied to it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(build.database, target)
    with duckdb.connect(str(target)) as con:
        for change in changes:
            con.sql(change)
    return target


def copy_extracts(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.md"))
    return target


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The hand-made tiny extracts, built once for every test that reads them."""
    build = dbt_build(tmp_path_factory.mktemp("tiny"), TINY)
    assert build.returncode == 0, build.output
    return build
