"""The ``cx`` command line: generate extracts, build the warehouse."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from cx import paths


def _generate(args: argparse.Namespace) -> int:
    from cx.generator import generate

    generate(args.out, customers=args.customers, seed=args.seed, progress=args.progress)
    print(f"wrote the 8 contract extracts for {args.customers:,} customers to {args.out}")
    return 0


def _dbt(arguments: list[str]) -> bool:
    """Run dbt from the repository root in its own process; True when it succeeded.

    A separate process, so that dbt's DuckDB connection is closed when it returns
    and the build database can be read (or published) right after.
    """
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run([str(dbt), *arguments], cwd=paths.REPO_ROOT, check=False).returncode == 0


def _build(args: argparse.Namespace) -> int:
    from cx.report import format_report, read_report

    paths.build_database().parent.mkdir(parents=True, exist_ok=True)
    dbt_args = ["build"]
    if args.full_refresh:
        dbt_args.append("--full-refresh")
    ok = _dbt(dbt_args)
    database = paths.build_database()
    if database.exists():
        try:
            print(format_report(read_report(database)))
        except Exception as error:  # the report must never hide the build's own error
            print(f"(no run report: {error})", file=sys.stderr)
    if not ok:
        print("Build failed: see the dbt output above. Nothing was published.", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cx", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write the 8 contract extracts")
    generate.add_argument("--customers", type=int, default=3000)
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--out", default="seeds", help="folder for <system>/<table>.csv")
    generate.add_argument("--progress", action="store_true", help="show a progress bar")
    generate.set_defaults(handler=_generate)

    build = commands.add_parser("build", help="load the extracts and build the warehouse")
    build.add_argument("--full-refresh", action="store_true")
    build.set_defaults(handler=_build)

    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
