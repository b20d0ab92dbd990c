"""Helpers for tests that run the real pipeline: dbt in its own process.

Tests that run dbt or the whole pipeline carry the ``build`` marker; every other
test is a ``unit`` test and needs no build (``make test-unit`` runs those alone).
Running dbt from a test that is not marked ``build`` is an error, so the split
cannot drift.

Every dbt process of a test build starts from the run's kept parse of the project
(``dbt_parse_cache/sitecustomize.py``): each build still has its own database,
target, logs and extracts, but dbt parses the project in full once per state
(sample or extracts mode, ``--vars``), not once per build.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from cx.cli import WITHOUT_UNIT_TESTS

REPO = Path(__file__).resolve().parents[2]
TINY = Path(__file__).parent / "extracts" / "tiny"
DBT = Path(sys.executable).with_name("dbt")
# The folder of the `sitecustomize` that lets dbt processes of test builds share a parse.
PARSE_CACHE_HOOK = Path(__file__).parent / "dbt_parse_cache"

# Whether the test being set up or run is marked `build` (see pytest_runtest_setup).
_running_build_test = False
# Where this run keeps dbt's parses (see dbt_parse_cache), set by the fixture of that name.
_parse_cache: Path | None = None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test is either `build` or `unit`; a test that builds the tiny extracts builds."""
    for item in items:
        if "tiny_build" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.build)
        if item.get_closest_marker("build") is None:
            item.add_marker(pytest.mark.unit)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Runs before the test's fixtures are set up, so module fixtures that build see it too.
    global _running_build_test
    _running_build_test = item.get_closest_marker("build") is not None


def _run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's temporary folder, which every pytest-xdist worker shares."""
    basetemp = tmp_path_factory.getbasetemp()
    return basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp


# The model cache of this run (cx.paths.model_cache), set by the fixture of that name.
_model_cache: Path | None = None


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model cache for the run, shared by every worker, every test build and the tests
    that score verbatims themselves: each run starts without one, none is written in the
    repository's warehouse folder."""
    global _model_cache
    _model_cache = _run_folder(tmp_path_factory) / "model-cache"
    os.environ["CX_CACHE_DIR"] = str(_model_cache)
    return _model_cache


@pytest.fixture(scope="session", autouse=True)
def dbt_parse_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder where this run's test builds keep dbt's parses, shared by every worker."""
    global _parse_cache
    _parse_cache = _run_folder(tmp_path_factory) / "dbt-parse-cache"
    return _parse_cache


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
    if not _running_build_test:
        raise RuntimeError("a test that runs dbt or `cx` must be marked pytest.mark.build")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CX_")}
    if _model_cache is not None:
        env["CX_CACHE_DIR"] = str(_model_cache)
    if extracts_dir is not None:
        env["CX_EXTRACTS_DIR"] = str(extracts_dir)
    env.update(
        CX_BUILD_DB=str(workdir / "build.duckdb"),
        # Nobody erased unless a test says so: a suppression list on this machine
        # (README, "Personal data") must not change what a test builds.
        CX_SUPPRESSION_LIST=str(workdir / "suppression_list.csv"),
        DBT_TARGET_PATH=str(workdir / "target"),
        DBT_LOG_PATH=str(workdir / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    if _parse_cache is not None:
        env["CX_TEST_DBT_PARSE_CACHE"] = str(_parse_cache)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(PARSE_CACHE_HOOK), os.environ.get("PYTHONPATH")])
        )
    env.update(extra)
    return env


def build_generated(workdir: Path, customers: int, seed: int, *selected: str) -> Build:
    """Extracts of ``customers`` generated customers (``seed``) under ``workdir``, built up
    to the ``selected`` dbt nodes (and the tests they can run); the build must pass."""
    from cx.generator import generate

    generate(workdir / "extracts", customers=customers, seed=seed)
    build = dbt_build(
        workdir, workdir / "extracts", "--select", *selected, "--indirect-selection", "buildable"
    )
    assert build.returncode == 0, build.output
    return build


def compile_inline(sql: str, workdir: Path) -> str:
    """The SQL dbt compiles from ``sql`` (Jinja and the project's macros), to run in DuckDB."""
    proc = subprocess.run(
        [str(DBT), "compile", "--quiet", "--output", "json", "--inline", sql],
        cwd=REPO,
        env=build_env(workdir, None),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)["compiled"]


def dbt_build(workdir: Path, extracts_dir: Path | None, *args: str, **extra: str) -> Build:
    """`dbt build` from the repository root into a database of its own under ``workdir``,
    without dbt's unit tests, as `cx build` runs it (`make test` runs those on the sample)."""
    return dbt_command("build", workdir, extracts_dir, *WITHOUT_UNIT_TESTS, *args, **extra)


def dbt_command(
    command: str, workdir: Path, extracts_dir: Path | None, *args: str, **extra: str
) -> Build:
    """A dbt command (``build``, ``test``) on the database ``workdir/build.duckdb``."""
    env = build_env(workdir, extracts_dir, **extra)
    proc = subprocess.run(
        [str(DBT), command, *args],
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
    """The hand-made tiny extracts, built once for every test that reads them.

    Under pytest-xdist every worker is a session of its own: the first one to get
    here builds into the folder all workers share, the others wait for it and read
    that build (tests only read it or copy it).
    """
    shared = _run_folder(tmp_path_factory)
    workdir = shared / "tiny-shared"
    with (shared / "tiny-shared.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        done = workdir / "build.done"
        if not done.exists():
            build = dbt_build(workdir, TINY)
            assert build.returncode == 0, build.output
            done.write_text(build.output, encoding="utf-8")
        return Build(0, done.read_text(encoding="utf-8"), workdir / "build.duckdb")
