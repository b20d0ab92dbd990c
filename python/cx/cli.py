"""The ``cx`` command line: generate extracts, build the warehouse."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cx import dbt_build, paths


def _generate(args: argparse.Namespace) -> int:
    import tempfile

    from cx.contract import EXTRACTS
    from cx.delta_files import write_delta_folders
    from cx.generator import generate

    if args.days_per_file is None:
        generate(args.out, customers=args.customers, seed=args.seed, progress=args.progress)
        print(
            f"wrote the {len(EXTRACTS)} contract extracts for {args.customers:,} customers"
            f" to {args.out}"
        )
        return 0
    if args.days_per_file < 1:
        print("--days-per-file must be 1 or more", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as single:
        generate(single, customers=args.customers, seed=args.seed, progress=args.progress)
        written = write_delta_folders(Path(single), Path(args.out), args.days_per_file)
    print(
        f"wrote the {len(EXTRACTS)} contract extracts for {args.customers:,} customers"
        f" to {args.out} as"
        f" folders of delta files, one per {args.days_per_file} day(s):"
        f" {sum(written.values()):,} files"
    )
    return 0


def _run(command: list[str], env: dict[str, str] | None = None) -> bool:
    """Run ``command`` from the repository root in its own process; True when it succeeded.

    A separate process, so that dbt's DuckDB connection is closed when it returns
    and the build database can be read (or published) right after.
    """
    environment = {**os.environ, **(env or {})}
    completed = subprocess.run(command, cwd=paths.REPO_ROOT, env=environment, check=False)
    return completed.returncode == 0


def _dbt(arguments: list[str], env: dict[str, str] | None = None) -> bool:
    """Run dbt with ``arguments`` in its own process; True when it succeeded."""
    return _run([str(Path(sys.executable).with_name("dbt")), *arguments], env)


def _dbt_build(arguments: list[str]) -> bool:
    """``dbt build`` with ``arguments``, then, when it passed, ``dbt source freshness``, in
    one process from one parse (cx.dbt_build); True when the build passed."""
    return _run(dbt_build.command(arguments))


# dbt's unit tests check the models' SQL on fixed, hand-made rows: their result does not
# depend on the extracts, so a build leaves them out and `make test` runs them
# (`cx build --unit-tests`). Data tests check the extracts: every build runs those.
WITHOUT_UNIT_TESTS = ("--exclude-resource-type", "unit_test")

# The audit models the run report reads (cx.report).
REPORTED_MODELS = ("model.cx.extract_row_counts", "model.cx.quarantined_rows")


def _dbt_target() -> Path:
    """dbt's target folder, where it writes ``run_results.json`` (``DBT_TARGET_PATH`` moves it)."""
    return Path(os.environ.get("DBT_TARGET_PATH", paths.REPO_ROOT / "target"))


def audit_built_since(started: float, target: Path) -> bool:
    """True when the dbt run that began at ``started`` (epoch seconds) built every model
    the report reads: its ``run_results.json`` is newer and lists them as a success."""
    results = target / "run_results.json"
    if not results.exists() or results.stat().st_mtime < started:
        return False  # dbt stopped before writing results, or these are an older run's
    statuses = {
        result["unique_id"]: result["status"]
        for result in json.loads(results.read_text(encoding="utf-8"))["results"]
    }
    return all(statuses.get(model) == "success" for model in REPORTED_MODELS)


def _report_extracts(built: bool, started: float) -> None:
    from cx.report import format_report, read_report

    if not built and not audit_built_since(started, _dbt_target()):
        # The build database still holds an earlier build's figures: never show them as this run's.
        print("No extract figures for this run: the build stopped before counting the lines.")
        return
    database = paths.build_database()
    if database.exists():
        try:
            print(format_report(read_report(database)))
        except Exception as error:  # the report must never hide the build's own error
            print(f"(no extract report: {error})", file=sys.stderr)


def _gate() -> bool:
    from cx.freshness import as_of
    from cx.gate import run_gate

    result = run_gate(paths.build_database(), paths.gate_docs(), now=as_of())
    print(result.format())
    return result.success


@dataclass(frozen=True)
class FreshnessVerdict:
    may_publish: bool
    stale_extracts: tuple[str, ...] = ()


def _freshness(allow_stale: bool, started: float) -> FreshnessVerdict:
    """Read what ``dbt source freshness`` measured after the build that began at ``started``
    (epoch seconds; cx.dbt_build runs it), show each extract's latest record and age, and
    say whether the marts may be published: not while an extract is past its error age
    (unless ``allow_stale``), nor when its age could not be measured."""
    from cx.freshness import format_freshness, not_measured, read_freshness, stale

    sources = _dbt_target() / "sources.json"
    if not sources.exists() or sources.stat().st_mtime < started:
        print("Freshness could not be measured: dbt wrote no sources.json; nothing was published.",
              file=sys.stderr)  # fmt: skip
        return FreshnessVerdict(False)
    extracts = read_freshness(sources)
    print(format_freshness(extracts))
    if failed := not_measured(extracts):
        print(f"Freshness could not be measured for {', '.join(failed)} (see the dbt output"
              " above); nothing was published.", file=sys.stderr)  # fmt: skip
        return FreshnessVerdict(False)
    past = tuple(stale(extracts))
    if past and not allow_stale:
        print(f"Stale extract(s), past their error age: {', '.join(past)}. Nothing was published;"
              " the published marts are unchanged. Deliver fresh extracts, or publish them as"
              " they are with --allow-stale (recorded in meta.publication).",
              file=sys.stderr)  # fmt: skip
        return FreshnessVerdict(False, past)
    if past:
        print(f"Publishing stale extract(s) as told (--allow-stale): {', '.join(past)}.")
    return FreshnessVerdict(True, past)


def _publish(allow_stale: bool = False, stale_extracts: tuple[str, ...] | None = None) -> bool:
    """Publish what is built; False, with the reason printed, when nothing was published."""
    from cx.html_report import write_report
    from cx.personal_data import publishes_personal_data
    from cx.publish import publish

    try:
        personal_data = publishes_personal_data()
        publication = publish(
            paths.build_database(),
            paths.bi_database(),
            paths.bi_parquet(),
            is_stale_allowed=allow_stale,
            stale_extracts=stale_extracts,
            is_personal_data_published=personal_data,
        )
    except ValueError as error:
        print(f"{error} The published marts are unchanged.", file=sys.stderr)
        return False
    print(f"Published {len(publication.marts)} marts to {publication.database} (schema marts)")
    print(f"  and as Parquet to {publication.parquet_dir}/")
    # The CX report reads the file just published, nothing else (cx.html_report).
    report = write_report(publication.database)
    without = f"; no data: {', '.join(report.without_data)}" if report.without_data else ""
    print(f"  CX report: {report.path} ({report.charts} charts{without})")
    for mart, rows in publication.marts.items():
        print(f"  {mart:<28} {rows:>12,} rows")
    if publication.undescribed:
        print(
            f"  without a description (no comment in the build database):"
            f" {', '.join(publication.undescribed)}"
        )
    if personal_data:
        print("  personal data (emails, phones, names) published as told (CX_PUBLISH_PII=1)")
    elif publication.withheld:
        print(
            f"  personal data left out (CX_PUBLISH_PII=1 publishes it):"
            f" {', '.join(publication.withheld)}"
        )
    return True


def _build(args: argparse.Namespace) -> int:
    """Load, dbt build (every data test; the unit tests too when asked), freshness, the
    gate, then publish: each only if all before it passed."""
    paths.build_database().parent.mkdir(parents=True, exist_ok=True)
    dbt_args = [*(() if args.unit_tests else WITHOUT_UNIT_TESTS)]
    if args.full_refresh:
        dbt_args.append("--full-refresh")
    started = time.time()
    built = _dbt_build(dbt_args)
    _report_extracts(built, started)
    if not built:
        print("Build failed: see the dbt output above. The published marts are unchanged.",
              file=sys.stderr)  # fmt: skip
        return 1
    freshness = _freshness(args.allow_stale, started)
    if not freshness.may_publish:
        return 1
    if not _gate():
        print("Quality gate failed: nothing was published; the published marts are unchanged.",
              file=sys.stderr)  # fmt: skip
        return 1
    return 0 if _publish(args.allow_stale, freshness.stale_extracts) else 1


def _erase(args: argparse.Namespace) -> int:
    """Record a person in the suppression list, with every help-desk user the build
    database links to them, then clear what earlier runs left in the warehouse folder,
    rebuild and republish without them. Prints the list's path and counts, never the
    person's email or id."""
    from cx.erasure import (
        carry_snapshots,
        key_hash,
        linked_user_keys,
        linked_users,
        list_path,
        read_entries,
        record,
        record_keys,
        restore_snapshots,
    )
    from cx.publish import remove_publish_leftovers

    kind, value = (
        ("email", args.email) if args.email is not None else ("contact_id", args.customer_id)
    )
    try:
        path = list_path(paths.REPO_ROOT)
        key_hash(kind, value)  # an empty value is refused before anything runs
    except ValueError as error:
        print(f"Nothing erased: {error}", file=sys.stderr)
        return 2
    database = paths.build_database()
    # The identity links are made from the person's own lines, which every later build
    # drops: read them now, from the last build, or build them from the extracts present
    # now when there is no build database (or it holds no links).
    links_status = 0
    if linked_users(database, path) is None:
        print(f"No identity links in {database}: building them from the extracts first.")
        database.parent.mkdir(parents=True, exist_ok=True)
        selected = ["--select", "+int_identity_links", "--indirect-selection", "buildable"]
        _dbt(["build", *WITHOUT_UNIT_TESTS, *selected])
    try:
        added = record(path, kind, value)
        users = linked_users(database, path)
        linked = record_keys(path, linked_user_keys(users or []))
        entries = len(read_entries(path))
    except ValueError as error:
        print(f"Nothing erased: {error}", file=sys.stderr)
        return 2
    said = "Recorded the person in" if added else "The person was already in"
    print(f"{said} the suppression list {path} ({entries} entries; back it up).")
    if users is None:
        links_status = 1
        print(
            f"No identity links could be read from {database} (the build above failed):"
            " help-desk users tied to the person only by a probabilistic match are not in"
            " the suppression list. Erase each of them with cx erase --email and the"
            " user's own address.",
            file=sys.stderr,
        )
    else:
        print(
            f"Help-desk users linked to the person in {database}: {len(users)}"
            f" ({linked} new entries in the list)."
        )
    # A new build database: no page freed in the old one keeps the person's lines. Its
    # snapshots (state no rebuild recreates) go over to the new one without the person.
    kept = Path(
        tempfile.mkdtemp(
            prefix="cx-snapshots-", dir=database.parent if database.parent.exists() else None
        )
    )
    carried = carry_snapshots(database, path, kept)
    for leftover in (database, database.with_name(database.name + ".wal")):
        leftover.unlink(missing_ok=True)
    restore_snapshots(database, kept, carried)  # on failure the Parquet files stay in `kept`
    shutil.rmtree(kept)
    if carried:
        print(f"Carried {', '.join(carried)} to the new build database, without the person.")
    # The gate's Data Docs and validation results keep up to 5 unexpected values of every
    # failed expectation of every earlier run: the gate starts them again from nothing.
    shutil.rmtree(paths.gate_docs(), ignore_errors=True)
    remove_publish_leftovers(paths.bi_database(), paths.bi_parquet())
    print("Rebuilding from the extracts without the person's lines, then republishing.")
    built = _build(
        argparse.Namespace(full_refresh=True, allow_stale=args.allow_stale, unit_tests=False)
    )
    if built != 0:
        print(
            f"The person is in the suppression list, but nothing was published: the BI file"
            f" {paths.bi_database()} and its Parquet files still hold them until a build"
            " passes and publishes (cx build).",
            file=sys.stderr,
        )
    return built or links_status


def _gate_command(args: argparse.Namespace) -> int:
    return 0 if _gate() else 1


def _publish_command(args: argparse.Namespace) -> int:
    """Gate and publish what is built. Freshness is ``cx build``'s step (or ``dbt source
    freshness``, which exits 1 on a stale extract, for those who call dbt themselves):
    ``meta.publication.stale_extracts`` is null, not measured by this publish."""
    if not args.skip_gate and not _gate():
        print("Quality gate failed: nothing was published.", file=sys.stderr)
        return 1
    return 0 if _publish() else 1


def _cdnow(args: argparse.Namespace) -> int:
    from cx.datasets import write_cdnow_extracts

    write_cdnow_extracts(args.source, args.out)
    print(f"wrote CDNOW as contract extracts to {args.out}")
    return 0


def _backtest(args: argparse.Namespace) -> int:
    """Build with the observation end set, then compare predictions with the holdout."""
    import duckdb

    from cx.clv_pipeline import backtest

    database = Path(args.database)
    database.parent.mkdir(parents=True, exist_ok=True)
    env = {"CX_CLV_OBSERVATION_END": args.observation_end, "CX_BUILD_DB": str(database)}
    selected = ["--select", "+int_customer_value_predicted", "--indirect-selection", "buildable"]
    if not _dbt(["build", *WITHOUT_UNIT_TESTS, *selected], env):
        print("Backtest build failed: see the dbt output above.", file=sys.stderr)
        return 1
    with duckdb.connect(str(database), read_only=True) as con:
        status = con.sql(
            "select any_value(prediction_status) from intermediate.int_customer_value_predicted"
        ).fetchall()[0][0]
        columns = con.sql(
            """
            select
                summary.frequency,
                summary.holdout_repeat_purchases,
                predicted.expected_purchases_holdout,
                predicted.expected_cumulative_purchases_at_holdout_end,
                summary.holdout_weeks
            from intermediate.int_customer_purchase_summary as summary
            inner join intermediate.int_customer_value_predicted as predicted
                using (customer_id)
            """
        ).fetchnumpy()
    if status is not None and status.startswith("bg_nbd"):  # no purchase-count model
        print(f"No backtest: {status}", file=sys.stderr)
        return 1
    try:
        report = backtest(
            columns["frequency"],
            columns["holdout_repeat_purchases"],
            columns["expected_purchases_holdout"],
            columns["expected_cumulative_purchases_at_holdout_end"],
            float(columns["holdout_weeks"][0]) if len(columns["holdout_weeks"]) else 0.0,
        )
    except ValueError as error:
        print(f"No backtest: {error}", file=sys.stderr)
        return 1
    print(f"Backtest from {args.observation_end} ({database})")
    print(report.format())
    return 0


def _add_source(args: argparse.Namespace) -> int:
    from cx.add_source import add_source, next_steps
    from cx.source_sample import SampleRefused

    try:
        source, written = add_source(
            Path(args.project_dir), args.system, args.table, Path(args.sample), args.key,
            args.timestamp,
        )  # fmt: skip
    except SampleRefused as refusal:
        print(f"cx add-source: {refusal}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    print(next_steps(source))
    return 0


ALLOW_STALE_HELP = (
    "publish even when an extract is past its error age (dbt source freshness); recorded in"
    " meta.publication"
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cx", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write the contract extracts")
    generate.add_argument("--customers", type=int, default=3000)
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--out", default="seeds", help="folder for <system>/<table>.csv")
    generate.add_argument("--progress", action="store_true", help="show a progress bar")
    generate.add_argument(
        "--days-per-file",
        type=int,
        help="write each extract as a folder <system>/<table>/ of delta files, one per this"
        " many days of each line's own moment (docs/contract/raw-extracts.md)",
    )
    generate.set_defaults(handler=_generate)

    build = commands.add_parser("build", help="load the extracts and build the warehouse")
    build.add_argument("--full-refresh", action="store_true")
    build.add_argument(
        "--unit-tests",
        action="store_true",
        help="also run dbt's unit tests (the models' SQL on fixed rows; make test runs them)",
    )
    build.add_argument("--allow-stale", action="store_true", help=ALLOW_STALE_HELP)
    build.set_defaults(handler=_build)

    gate = commands.add_parser("gate", help="run the quality gate over the built marts")
    gate.set_defaults(handler=_gate_command)

    publish = commands.add_parser(
        "publish", help="gate, then publish the built marts to the BI database"
    )
    publish.add_argument(
        "--skip-gate", action="store_true", help="publish without running the gate first"
    )
    publish.set_defaults(handler=_publish_command)

    erase = commands.add_parser(
        "erase",
        help="erase a person on request: record them in the suppression list (CX_SUPPRESSION_LIST)"
        " with every help-desk user the build database links to them, clear the gate's Data Docs,"
        " then rebuild and republish without their lines in any extract",
    )
    who = erase.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="the person's email (any case, surrounding spaces ignored)")
    who.add_argument("--customer-id", help="the person's customer id (the CRM contact id)")
    erase.add_argument("--allow-stale", action="store_true", help=ALLOW_STALE_HELP)
    erase.set_defaults(handler=_erase)

    backtest = commands.add_parser(
        "backtest", help="fit up to a date and compare the predictions with what came after"
    )
    backtest.add_argument("--observation-end", required=True, help="YYYY-MM-DD")
    backtest.add_argument(
        "--database",
        default=str(paths.REPO_ROOT / "warehouse" / "backtest.duckdb"),
        help="a build database of its own, so the main build is left alone",
    )
    backtest.set_defaults(handler=_backtest)

    cdnow = commands.add_parser("cdnow", help="write the CDNOW sample as contract extracts")
    cdnow.add_argument("--source", default=str(paths.CDNOW_SAMPLE))
    cdnow.add_argument("--out", required=True)
    cdnow.set_defaults(handler=_cdnow)

    add = commands.add_parser(
        "add-source",
        help="add an extract to the contract, staging and audit from a sample file",
        description="Add the extract SYSTEM/TABLE from a sample CSV file in the contract's"
        " dialect: contract entry, source, seed, base and staging models, audit registration,"
        " YAML with tests, and a hand-made test extract (README, 'Adding a new source').",
    )
    add.add_argument("system", metavar="SYSTEM", help="the source system: lower-case name")
    add.add_argument("table", metavar="TABLE", help="the extract's table: lower-case name")
    add.add_argument("--sample", required=True, metavar="PATH", help="a sample extract (CSV)")
    add.add_argument("--key", required=True, metavar="COLUMN", help="the key column")
    add.add_argument(
        "--timestamp",
        metavar="COLUMN",
        help="the column whose latest value wins among the lines of one key (re-exports)",
    )
    add.add_argument(
        "--project-dir", default=str(paths.REPO_ROOT), help="the project to write into"
    )
    add.set_defaults(handler=_add_source)

    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
