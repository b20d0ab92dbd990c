"""`cx-bench pipeline`: the whole pipeline against a hand-written DuckDB reference, one run.

Each step runs as its own process, timed from start to exit, with that
process's peak resident memory (``wait4``): the reference script
(``sql/reference_pipeline.sql``: load, clean, identity rules, touchpoints, NPS,
support times, historical value), then the product's dbt process (``cx build``'s:
parse, ``dbt build``, freshness), the gate and the publish, exactly as ``make
build`` runs them. Last, the same pipeline on a handful of customers: its fixed
cost, which no speed-up of the work that grows with the data removes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cx import dbt_build, paths
from cx.cli import WITHOUT_UNIT_TESTS
from cx.delta_files import copy_until, latest_day, write_delta_folders
from cx.sql_text import string_literal
from cx_bench.clv import machine, replace_section
from cx_bench.targets import Figures, FixedCost, format_node_times, format_targets, node_times

SEED = 1


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    peak_rss_mb: float
    ok: bool


def _run(name: str, command: list[str], env: dict[str, str]) -> Step:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=paths.REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    ok = process.returncode == 0
    if not ok and process.stderr is not None:
        sys.stderr.write(process.stderr.read().decode(errors="replace")[-2000:])
    step = Step(name, seconds, usage.ru_maxrss / 1024, ok)
    print(f"  {name:<44} {seconds:9.1f} s  {step.peak_rss_mb:9,.0f} MB  {'ok' if ok else 'FAILED'}",
          flush=True)  # fmt: skip
    return step


# The views reference_load.sql defines, one per extract.
RAW_VIEWS = ("contacts_raw", "orders_raw", "activities_raw", "users_raw", "tickets_raw",
             "events_raw", "surveys_raw", "responses_raw")  # fmt: skip


def run_reference(extracts: Path, database: Path, load_only: bool = False) -> dict[str, int]:
    """Run the reference script (used as a step of its own process); with
    ``load_only``, only read every column of every extract through its views.
    Returns the lines each view read when ``load_only``, else nothing."""
    import duckdb

    scripts = ["reference_load.sql"] + ([] if load_only else ["reference_pipeline.sql"])
    database.unlink(missing_ok=True)
    lines = {}
    with duckdb.connect(str(database)) as con:
        for script in scripts:
            sql = resources.files("cx_bench").joinpath(f"sql/{script}").read_text()
            con.execute(sql.replace("{dir}", string_literal(extracts)))
        if load_only:
            for view in RAW_VIEWS:
                # count(*) alone would let DuckDB skip parsing the columns: count each one.
                row = con.sql(f"select count(*), count(columns(*)) from {view}").fetchall()[0]
                lines[view] = row[0]
    if load_only:
        database.unlink()
    return lines


FULL = ("dbt build (full: parse, every data test, freshness)", "quality gate", "publish")
INCREMENTAL = (
    "dbt build after one more day (incremental)",
    "quality gate after one more day",
    "publish after one more day",
)
SETUP = "dbt build of the day before (sets up the incremental run)"
# The pipeline's fixed cost: the same steps on this many customers' extracts, cold (a
# full parse and an empty model cache, as the full build), then again with nothing new.
FIXED_COST_CUSTOMERS = 10
FIXED_COST = (
    f"fixed cost: dbt build of {FIXED_COST_CUSTOMERS} customers (cold)",
    "fixed cost: quality gate",
    "fixed cost: publish",
)
GENERATE_FIXED_COST = f"generate {FIXED_COST_CUSTOMERS} customers' extracts (fixed cost)"
FIXED_COST_AGAIN = (
    "fixed cost: the same dbt build again, nothing new",
    "fixed cost: quality gate again",
    "fixed cost: publish again",
)
REFERENCE = "pure-DuckDB reference"
READ_ONLY = "reading the extracts alone (the reference's load)"


def _generate(customers: int, workdir: Path, env: dict[str, str]) -> list[Step]:
    """Generate the extracts, the same as daily delta files, and those files without the
    last day's, unless this size is cached."""
    extracts, day_before = workdir / "extracts", workdir / "extracts-day-before"
    delta = workdir / "extracts-delta"
    marker = workdir / f"generated-{customers}-{SEED}"
    if marker.exists() and day_before.exists() and delta.exists():
        return []
    for folder in (extracts, day_before, delta):
        shutil.rmtree(folder, ignore_errors=True)
    for old in workdir.glob("generated-*"):
        old.unlink()
    generate = [str(Path(sys.executable).parent / "cx"), "generate", "--customers",
                str(customers), "--seed", str(SEED), "--out", str(extracts)]  # fmt: skip
    steps = [_run("generate extracts", generate, env)]
    if steps[-1].ok:
        write_delta_folders(extracts, delta, days_per_file=1)
        cutoff = latest_day(delta)
        held_back = copy_until(delta, day_before, cutoff)
        print(f"  the day before: {cutoff:%Y-%m-%d}, {held_back:,} delta files held back")
        marker.touch()
    return steps


# Settings a benchmark may vary (they reach every step); paths are the bench's own.
SETTINGS = ("CX_DUCKDB_THREADS", "CX_DUCKDB_MEMORY_LIMIT")


def settings() -> str:
    """The settings in force, for the report."""
    chosen = {name: os.environ[name] for name in SETTINGS if name in os.environ}
    return ", ".join(f"{k}={v}" for k, v in chosen.items()) or "the defaults"


def run(customers: int, workdir: Path) -> list[Step]:
    """Time every step. The full build starts cold (no dbt target: a full parse,
    as in CI) and reads the extracts as single files; the day before and the day
    after read them as daily delta files and share a target and an extracts path
    (a symlink moved between them), as a daily build on one machine does."""
    workdir.mkdir(parents=True, exist_ok=True)
    bin_dir = Path(sys.executable).parent
    base = {k: v for k, v in os.environ.items() if not k.startswith("CX_") or k in SETTINGS}

    def env(build: str) -> dict[str, str]:
        return {
            **base,
            "CX_EXTRACTS_DIR": str(workdir / build / "extracts"),
            "CX_BUILD_DB": str(workdir / build / "build.duckdb"),
            "CX_BI_DB": str(workdir / build / "bi" / "bi.duckdb"),
            "DBT_TARGET_PATH": str(workdir / build / "target"),
            "DBT_LOG_PATH": str(workdir / build / "logs"),
        }

    full, incremental, fixed_cost = env("full"), env("incremental"), env("fixed-cost")
    steps = _generate(customers, workdir, full)
    if steps and not steps[-1].ok:
        return steps
    for build, extracts in (
        ("full", "extracts"), ("incremental", "extracts-day-before"),
        ("fixed-cost", "extracts-fixed-cost"),
    ):  # fmt: skip
        shutil.rmtree(workdir / build, ignore_errors=True)
        (workdir / build).mkdir()
        (workdir / build / "extracts").symlink_to(workdir / extracts)

    def one_more_day() -> None:
        link = workdir / "incremental" / "extracts"
        link.unlink()
        link.symlink_to(workdir / "extracts-delta")

    def reference(database: str, load_only: bool) -> list[str]:
        return [
            sys.executable, "-c",
            "import sys; from pathlib import Path; from cx_bench.pipeline import run_reference;"
            " run_reference(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == 'load')",
            str(workdir / "extracts"), str(workdir / database), "load" if load_only else "all",
        ]  # fmt: skip

    # `cx build`'s dbt process: parse, every data test (dbt's unit tests left to `make
    # test`), freshness; then its gate and publish.
    dbt, gate, publish = (
        dbt_build.command(WITHOUT_UNIT_TESTS),
        [str(bin_dir / "cx"), "gate"], [str(bin_dir / "cx"), "publish", "--skip-gate"],
    )  # fmt: skip
    fixed_cost_extracts = workdir / "extracts-fixed-cost"
    shutil.rmtree(fixed_cost_extracts, ignore_errors=True)
    generate = [str(bin_dir / "cx"), "generate", "--customers", str(FIXED_COST_CUSTOMERS),
                "--seed", str(SEED), "--out", str(fixed_cost_extracts)]  # fmt: skip
    for name, command, step_env in (
        (REFERENCE, reference("reference.duckdb", load_only=False), full),
        (READ_ONLY, reference("read-only.duckdb", load_only=True), full),
        (FULL[0], dbt, full),
        (FULL[1], gate, full),
        (FULL[2], publish, full),
        (SETUP, dbt, incremental),
        (INCREMENTAL[0], dbt, incremental),
        (INCREMENTAL[1], gate, incremental),
        (INCREMENTAL[2], publish, incremental),
        (GENERATE_FIXED_COST, generate, fixed_cost),
        (FIXED_COST[0], dbt, fixed_cost),
        (FIXED_COST[1], gate, fixed_cost),
        (FIXED_COST[2], publish, fixed_cost),
        (FIXED_COST_AGAIN[0], dbt, fixed_cost),
        (FIXED_COST_AGAIN[1], gate, fixed_cost),
        (FIXED_COST_AGAIN[2], publish, fixed_cost),
    ):
        if name == INCREMENTAL[0]:
            one_more_day()
        steps.append(_run(name, command, step_env))
        if not steps[-1].ok:
            break
    return steps


def figures(steps: list[Step]) -> Figures:
    by_name = {s.name: s for s in steps}
    reference = by_name[REFERENCE].seconds
    full, incremental = _seconds(by_name, FULL), _seconds(by_name, INCREMENTAL)
    return Figures(
        full=full,
        incremental=incremental,
        by_reference=full / reference,
        gate_by_reference=by_name[FULL[1]].seconds / reference,
        peak_gb=_peak(by_name, (*FULL, SETUP, *INCREMENTAL)) / 1024,
        incremental_by_full=incremental / full,
        fixed_cost=FixedCost(
            customers=FIXED_COST_CUSTOMERS,
            by_reference=_seconds(by_name, FIXED_COST) / reference,
            gate_by_reference=by_name[FIXED_COST[1]].seconds / reference,
            again_by_full=_seconds(by_name, FIXED_COST_AGAIN) / full,
        ),
    )


def _seconds(by_name: dict[str, Step], names: tuple[str, ...]) -> float:
    return sum(by_name[name].seconds for name in names)


def _peak(by_name: dict[str, Step], names: tuple[str, ...]) -> float:
    return max(by_name[name].peak_rss_mb for name in names)


def format_table(customers: int, steps: list[Step]) -> str:
    if not all(step.ok for step in steps):
        failed = next(step.name for step in steps if not step.ok)
        return f"{failed} failed: no figures (see the error above)"
    by_name = {s.name: s for s in steps}
    reference = by_name[REFERENCE].seconds
    measured = figures(steps)
    fixed = measured.fixed_cost
    full_peak, incremental_peak = _peak(by_name, FULL), _peak(by_name, INCREMENTAL)
    lines = [
        f"| {customers:,} customers | seconds | x reference | peak RSS (MB) |",
        "|---|---:|---:|---:|",
    ]
    for s in steps:
        no_ratio = ("generate extracts", SETUP, GENERATE_FIXED_COST)
        ratio = "" if s.name in no_ratio else f"{s.seconds / reference:.1f}"
        lines.append(f"| {s.name} | {s.seconds:.1f} | {ratio} | {s.peak_rss_mb:,.0f} |")
    lines += [
        f"| **full pipeline (build + gate + publish)** | **{measured.full:.1f}** |"
        f" **{measured.by_reference:.1f}** | {full_peak:,.0f} |",
        f"| **after one more day (incremental build + gate + publish)** |"
        f" **{measured.incremental:.1f}** | **{measured.incremental / reference:.1f}** |"
        f" {incremental_peak:,.0f} |",
        f"| **fixed cost: the pipeline on {FIXED_COST_CUSTOMERS} customers (cold)** |"
        f" **{_seconds(by_name, FIXED_COST):.1f}** | **{fixed.by_reference:.1f}** |"
        f" {_peak(by_name, FIXED_COST):,.0f} |",
        f"| **fixed cost: the same again, nothing new** |"
        f" **{_seconds(by_name, FIXED_COST_AGAIN):.1f}** |"
        f" **{_seconds(by_name, FIXED_COST_AGAIN) / reference:.1f}** |"
        f" {_peak(by_name, FIXED_COST_AGAIN):,.0f} |",
        "",
        "| figure | measured |",
        "|---|---:|",
        f"| full pipeline / reference | {measured.by_reference:.2f}x |",
        f"| gate / reference | {measured.gate_by_reference:.2f}x |",
        f"| peak memory, any step of the pipeline | {measured.peak_gb:.2f} GB |",
        f"| `make build` after one more day / full pipeline |"
        f" {measured.incremental_by_full:.2f}x |",
        f"| incremental `dbt build` / full `dbt build` |"
        f" {by_name[INCREMENTAL[0]].seconds / by_name[FULL[0]].seconds:.2f}x |",
        f"| reading the extracts alone / full `dbt build` |"
        f" {by_name[READ_ONLY].seconds / by_name[FULL[0]].seconds:.2f}x |",
        "",
        format_targets(customers, measured),
    ]
    return "\n".join(lines)


def write_report(
    customers: int, steps: list[Step], path: Path, full_target: Path | None = None
) -> None:
    """Write this size's section; with ``full_target`` (the full build's dbt target),
    also where that build spent its time."""
    breakdown = ""
    if full_target is not None and all(step.ok for step in steps):
        breakdown = (
            "\nWhere the full `dbt build`'s time went (dbt's own node timings; two dbt\n"
            "threads, so the parts add up to more than its wall time, which also holds\n"
            "dbt's start-up, parse and freshness):\n\n"
            + format_node_times(node_times(full_target))
            + "\n"
        )
    text = (
        f"## Pipeline at {customers:,} customers\n\n"
        f"`make bench CUSTOMERS={customers}` (`cx-bench pipeline`): generated extracts\n"
        f"(seed {SEED}), each step a process of its own. The reference is\n"
        "`python/cx_bench/sql/reference_load.sql` then `reference_pipeline.sql` (load,\n"
        "clean, identity rules, touchpoints, NPS, support times, historical value, in plain\n"
        "DuckDB); its load is also timed alone. The day before is the same extracts as\n"
        "folders of daily delta files without the last day's files (`cx.delta_files`); it\n"
        "is built first, then again with those files added. The full build starts cold\n"
        "(dbt parses the whole project and the model cache is empty, as in CI); the\n"
        "incremental one reuses the day before's dbt target and model cache, as a daily\n"
        "build on one machine does. Each `dbt build` is `cx build`'s dbt process (parse,\n"
        "every data test, dbt's unit tests left to `make test`, then freshness). The gate\n"
        "is `cx gate` (GX inside DuckDB). The fixed cost is the same steps on\n"
        f"{FIXED_COST_CUSTOMERS} generated customers (seed {SEED}), cold as the full build, then\n"
        "again with nothing new: what no speed-up of the work that grows with the data\n"
        "removes. A target whose limit is below it is out of reach at this reference.\n"
        "Every figure and the targets table below are written by the run.\n"
        f"Settings: {settings()}. Measured on: "
        + machine()
        + ".\n\n"
        + format_table(customers, steps)
        + "\n"
        + breakdown
    )
    replace_section(path, f"Pipeline at {customers:,} customers", text)
