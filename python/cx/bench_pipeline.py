"""`cx bench`: the whole pipeline against a hand-written DuckDB reference, same data, same run.

Each step runs as its own process, timed from start to exit, with that
process's peak resident memory (``wait4``): the reference script
(``sql/reference_pipeline.sql``: load, clean, identity rules, touchpoints, NPS,
support times, historical value), then the product's ``dbt build``, the gate and
the publish, exactly as ``make build`` runs them.
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

from cx import paths
from cx.bench_clv import machine, replace_section

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


def run_reference(extracts: Path, database: Path) -> None:
    """Run the reference script (used as a step of its own process)."""
    import duckdb

    sql = resources.files("cx").joinpath("sql/reference_pipeline.sql").read_text()
    database.unlink(missing_ok=True)
    with duckdb.connect(str(database)) as con:
        con.execute(sql.replace("{dir}", str(extracts)))


def run(customers: int, workdir: Path) -> list[Step]:
    workdir.mkdir(parents=True, exist_ok=True)
    extracts = workdir / "extracts"
    marker = workdir / f"generated-{customers}-{SEED}"
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("CX_")}
    env.update(
        CX_EXTRACTS_DIR=str(extracts),
        CX_BUILD_DB=str(workdir / "build.duckdb"),
        CX_BI_DB=str(workdir / "bi" / "bi.duckdb"),
        DBT_TARGET_PATH=str(workdir / "target"),
        DBT_LOG_PATH=str(workdir / "logs"),
    )
    steps = []
    if not marker.exists():
        shutil.rmtree(extracts, ignore_errors=True)
        for old in workdir.glob("generated-*"):
            old.unlink()
        generate = [str(bin_dir / "cx"), "generate", "--customers", str(customers),
                    "--seed", str(SEED), "--out", str(extracts)]  # fmt: skip
        steps.append(_run("generate extracts", generate, env))
        if not steps[-1].ok:
            return steps
        marker.touch()
    (workdir / "build.duckdb").unlink(missing_ok=True)
    reference = [
        sys.executable, "-c",
        "import sys; from pathlib import Path; from cx.bench_pipeline import run_reference;"
        " run_reference(Path(sys.argv[1]), Path(sys.argv[2]))",
        str(extracts), str(workdir / "reference.duckdb"),
    ]  # fmt: skip
    for name, command in (
        ("pure-DuckDB reference", reference),
        ("dbt build (full, with every dbt test)", [str(bin_dir / "dbt"), "build"]),
        ("quality gate", [str(bin_dir / "cx"), "gate"]),
        ("publish", [str(bin_dir / "cx"), "publish", "--skip-gate"]),
    ):
        steps.append(_run(name, command, env))
        if not steps[-1].ok:
            break
    return steps


def format_table(customers: int, steps: list[Step]) -> str:
    if not all(step.ok for step in steps):
        failed = next(step.name for step in steps if not step.ok)
        return f"{failed} failed: no figures (see the error above)"
    reference = next(s.seconds for s in steps if s.name == "pure-DuckDB reference")
    pipeline = [s for s in steps if s.name not in ("generate extracts", "pure-DuckDB reference")]
    total = sum(s.seconds for s in pipeline)
    lines = [
        f"| {customers:,} customers | seconds | x reference | peak RSS (MB) | result |",
        "|---|---:|---:|---:|---|",
    ]
    for s in steps:
        ratio = "" if s.name == "generate extracts" else f"{s.seconds / reference:.1f}"
        lines.append(
            f"| {s.name} | {s.seconds:.1f} | {ratio} | {s.peak_rss_mb:,.0f} |"
            f" {'ok' if s.ok else 'failed'} |"
        )
    lines.append(
        f"| **full pipeline (build + gate + publish)** | **{total:.1f}** |"
        f" **{total / reference:.1f}** | {max(s.peak_rss_mb for s in pipeline):,.0f} | |"
    )
    lines.append("| incremental build after one more day | not implemented | | | |")
    return "\n".join(lines)


def write_report(customers: int, steps: list[Step], path: Path) -> None:
    text = (
        f"## Pipeline at {customers:,} customers\n\n"
        f"`make bench CUSTOMERS={customers}` (`cx bench`): generated extracts (seed {SEED}),\n"
        "each step a process of its own. The reference is `python/cx/sql/reference_pipeline.sql`\n"
        "(load, clean, identity rules, touchpoints, NPS, support times, historical value, in\n"
        "plain DuckDB). Measured on: " + machine() + ".\n\n" + format_table(customers, steps) + "\n"
    )
    replace_section(path, f"Pipeline at {customers:,} customers", text)
