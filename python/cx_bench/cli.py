"""The ``cx-bench`` command line: time the warehouse and write docs/benchmarks.md."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from cx import paths


def _show(table: str, report: str | None, write: Callable[[Path], None]) -> None:
    """Print a benchmark's table and, when asked, write it into the report file."""
    print(table)
    if report:
        write(Path(report))
        print(f"written to {report}")


def _clv(args: argparse.Namespace) -> int:
    from cx_bench.clv import format_table, run, write_report

    steps = run(args.customers)
    _show(format_table(steps), args.report, lambda path: write_report(steps, path))
    return 0


def _identity(args: argparse.Namespace) -> int:
    from cx_bench.identity import format_result, run, write_report

    result = run(args.contacts, args.candidates)
    _show(format_result(result), args.report, lambda path: write_report(result, path))
    return 0


def _gate(args: argparse.Namespace) -> int:
    from cx_bench.gate import format_table, run, write_report

    measures = [m for rows in args.rows for m in run(rows)]
    _show(format_table(measures), args.report, lambda path: write_report(measures, path))
    return 0


def _pipeline(args: argparse.Namespace) -> int:
    from cx_bench.pipeline import format_table, run, write_report

    workdir = paths.REPO_ROOT / "warehouse" / "bench" / str(args.customers)
    steps = run(args.customers, workdir)
    _show(
        format_table(args.customers, steps),
        args.report,
        lambda path: write_report(args.customers, steps, path, workdir / "full" / "target"),
    )
    return 0 if all(step.ok for step in steps) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cx-bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    pipeline = commands.add_parser(
        "pipeline", help="time the whole pipeline against a pure-DuckDB reference"
    )
    pipeline.add_argument("--customers", type=int, default=100_000)
    pipeline.add_argument("--report", help="also write the tables into this Markdown file")
    pipeline.set_defaults(handler=_pipeline)

    clv = commands.add_parser("clv", help="time the CLV fit at scale")
    clv.add_argument("--customers", type=int, nargs="+", default=[100_000, 1_000_000])
    clv.add_argument("--report", help="also write the table into this Markdown file")
    clv.set_defaults(handler=_clv)

    gate = commands.add_parser("gate", help="time the quality gate at scale")
    gate.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    gate.add_argument("--report", help="also write the table into this Markdown file")
    gate.set_defaults(handler=_gate)

    identity = commands.add_parser(
        "identity", help="time and score probabilistic identity at scale"
    )
    identity.add_argument("--contacts", type=int, default=1_000_000)
    identity.add_argument("--candidates", type=int, default=20_000)
    identity.add_argument("--report", help="also write the table into this Markdown file")
    identity.set_defaults(handler=_identity)

    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
