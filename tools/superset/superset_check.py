"""Apache Superset against the published BI file, end to end: `make superset-check`.

Runs with the interpreter of Superset's own environment (`.venv-superset`, made from
`tools/superset/requirements.lock`): Superset 6.1 pins SQLAlchemy 1.4, where duckdb-engine
is the DuckDB dialect that works. In a throwaway folder it initialises a Superset metadata
database and an admin, starts Superset on 127.0.0.1 on a free port, and through the REST API:

1. tests and registers the published file read-only as a database;
2. lists the schema `bi.marts` and every published mart in it;
3. creates a dataset for every mart (``meta.published_marts``) and checks that each got
   every column of the file, each with its DuckDB comment as its description, and that
   SQL Lab's table metadata shows the mart's comment;
4. runs a query in SQL Lab (every mart's row count) and one chart-data query (NPS by month,
   a chart metric over promoters, detractors and responses) and compares both with the
   same numbers read straight from the file with DuckDB;

then stops the server. Exit code 0 when every check passed, 1 when one failed, 2 when the
check could not run. The folder is removed on success and kept (with Superset's logs) on
failure. Messages name marts and columns, never a value of a customer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

SCHEMA = "marts"
# duckdb-engine lists a schema with its catalog, which DuckDB names after the file.
SUPERSET_SCHEMA_SUFFIX = f".{SCHEMA}"
ADMIN = "admin"
# How long Superset may take to answer /health after it starts.
STARTUP_SECONDS = 180
REQUEST_SECONDS = 120
# The chart: NPS by month for every customer on the relationship survey, recomputed from the
# counts as a chart metric would, against the mart's own `nps` column.
CHART_SEGMENT = "all"
CHART_SURVEY_TYPE = "relationship_nps"
NPS_METRIC = "100.0 * (sum(promoters) - sum(detractors)) / nullif(sum(responses), 0)"
# Superset computes the metric in DuckDB in another order than the mart: equal up to rounding.
REL_TOLERANCE = 1e-9
ABS_TOLERANCE = 1e-9


class CheckError(Exception):
    """A step that cannot go on; the message says which and why."""


@dataclass(frozen=True)
class PublishedColumn:
    name: str
    data_type: str
    comment: str | None


@dataclass(frozen=True)
class Published:
    """What the file holds, read with DuckDB: the reference every check compares with."""

    marts: dict[str, list[PublishedColumn]]
    comments: dict[str, str | None]
    row_counts: dict[str, int]
    nps_by_month: list[tuple[dt.date, float | None, int]]


@dataclass
class Outcome:
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.failures.append(message)


def read_published(bi_file: Path) -> Published:
    import duckdb

    with duckdb.connect(str(bi_file), read_only=True) as con:
        marts = [row[0] for row in con.sql("select mart from meta.published_marts").fetchall()]
        columns = con.sql(
            "select table_name, column_name, data_type, comment from duckdb_columns()"
            " where schema_name = ? order by table_name, column_index",
            params=[SCHEMA],
        ).fetchall()
        comments = dict(
            con.sql(
                "select table_name, comment from duckdb_tables() where schema_name = ?",
                params=[SCHEMA],
            ).fetchall()
        )
        row_counts = dict(con.sql("select mart, row_count from meta.published_marts").fetchall())
        nps = (
            con.sql(
                "select month, nps, responses from marts.mart_nps_monthly"
                " where segment = ? and survey_type = ? order by month",
                params=[CHART_SEGMENT, CHART_SURVEY_TYPE],
            ).fetchall()
            if "mart_nps_monthly" in marts
            else []
        )
    by_mart: dict[str, list[PublishedColumn]] = {mart: [] for mart in sorted(marts)}
    for table, column, data_type, comment in columns:
        if table in by_mart:
            by_mart[table].append(PublishedColumn(column, data_type, comment))
    return Published(
        by_mart,
        {mart: comments.get(mart) for mart in by_mart},
        row_counts,
        [(row[0], row[1], row[2]) for row in nps],
    )


def check_dataset(
    mart: str, columns: list[PublishedColumn], dataset_columns: list[dict]
) -> tuple[list[str], list[str]]:
    """Failures and notes for one dataset: its columns, their descriptions and types."""
    failures: list[str] = []
    notes: list[str] = []
    by_name = {column["column_name"]: column for column in dataset_columns}
    expected = [column.name for column in columns]
    missing = [name for name in expected if name not in by_name]
    extra = sorted(set(by_name) - set(expected))
    if missing:
        failures.append(f"{mart}: dataset lacks columns {', '.join(missing)}")
    if extra:
        failures.append(f"{mart}: dataset has columns the file has not: {', '.join(extra)}")
    uncommented = [column.name for column in columns if not column.comment]
    if uncommented:
        failures.append(
            f"{mart}: {len(uncommented)} column(s) without a comment in the published file:"
            f" {', '.join(uncommented)}"
        )
    different = [
        column.name
        for column in columns
        if column.comment
        and column.name in by_name
        and by_name[column.name].get("description") != column.comment
    ]
    if different:
        failures.append(
            f"{mart}: {len(different)} column(s) whose description is not the DuckDB"
            f" comment: {', '.join(different)}"
        )
    for column in columns:
        if column.name not in by_name or by_name[column.name].get("type") != "UNKNOWN":
            continue
        if column.data_type.endswith("[]"):
            notes.append(f"{mart}.{column.name} ({column.data_type}) has Superset type UNKNOWN")
        else:
            failures.append(f"{mart}.{column.name} ({column.data_type}) has type UNKNOWN")
    return failures, notes


def epoch_ms_to_date(value: float | int) -> dt.date:
    """Superset's JSON gives a temporal column as milliseconds since the epoch (UTC)."""
    return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC).date()


def _same_number(left: float | None, right: float | None) -> bool:
    if left is None or right is None:
        return left is None and right is None
    return math.isclose(left, right, rel_tol=REL_TOLERANCE, abs_tol=ABS_TOLERANCE)


def compare_nps_by_month(
    chart_rows: list[dict], expected: list[tuple[dt.date, float | None, int]]
) -> list[str]:
    """Failures where Superset's NPS by month differs from the mart's, month by month."""
    got = {epoch_ms_to_date(row["month"]): (row["nps"], row["responses"]) for row in chart_rows}
    want = {month: (nps, responses) for month, nps, responses in expected}
    failures = []
    if sorted(got) != sorted(want):
        failures.append(
            f"chart months differ: Superset {len(got)} ({_span(got)}),"
            f" DuckDB {len(want)} ({_span(want)})"
        )
    for month in sorted(set(got) & set(want)):
        (nps, responses), (want_nps, want_responses) = got[month], want[month]
        if responses != want_responses or not _same_number(nps, want_nps):
            failures.append(
                f"chart {month:%Y-%m}: Superset NPS {nps} of {responses} responses,"
                f" mart_nps_monthly {want_nps} of {want_responses}"
            )
    return failures


def _span(months: Iterable[dt.date]) -> str:
    ordered = sorted(months)
    return f"{ordered[0]:%Y-%m}..{ordered[-1]:%Y-%m}" if ordered else "none"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_config(home: Path) -> Path:
    """A throwaway Superset configuration: its metadata database lives in ``home``."""
    config = home / "superset_config.py"
    config.write_text(
        f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
        f"SQLALCHEMY_DATABASE_URI = {'sqlite:///' + str(home / 'superset.db')!r}\n",
        encoding="utf-8",
    )
    return config


class Superset:
    """A Superset installation in a throwaway folder, and its server while it runs."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.superset = Path(sys.executable).with_name("superset")
        self.password = secrets.token_urlsafe(24)
        self.env = {
            **os.environ,
            "SUPERSET_CONFIG_PATH": str(write_config(home)),
            "SUPERSET_HOME": str(home / "data"),
            "FLASK_APP": "superset.app:create_app()",
        }
        self.server: subprocess.Popen | None = None
        self.server_log: TextIO | None = None
        self.port = 0

    def run(self, step: str, *args: str) -> None:
        log = self.home / f"{step}.log"
        with log.open("w", encoding="utf-8") as out:
            completed = subprocess.run(
                [str(self.superset), *args],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, check=False,
            )  # fmt: skip
        if completed.returncode != 0:
            raise CheckError(f"`superset {args[0]}` exited {completed.returncode}; see {log}")

    def initialise(self) -> None:
        self.run("db-upgrade", "db", "upgrade")
        self.run(
            "create-admin", "fab", "create-admin", "--username", ADMIN, "--firstname", "CX",
            "--lastname", "Check", "--email", "admin@localhost", "--password", self.password,
        )  # fmt: skip
        self.run("init", "init")

    def start(self) -> str:
        self.port = free_port()
        self.server_log = (self.home / "server.log").open("w", encoding="utf-8")
        self.server = subprocess.Popen(
            [str(self.superset), "run", "--host", "127.0.0.1", "--port", str(self.port),
             "--with-threads"],
            env=self.env, stdout=self.server_log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{self.port}"
        import requests

        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise CheckError(
                    f"the server exited {self.server.returncode} while starting;"
                    f" see {self.home / 'server.log'}"
                )
            try:
                if requests.get(f"{base}/health", timeout=5).status_code == 200:
                    return base
            except requests.ConnectionError:
                pass
            time.sleep(1)
        raise CheckError(f"no answer on {base}/health after {STARTUP_SECONDS} s")

    def stop(self) -> None:
        """Stop the server and whatever it started (its own process group)."""
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait(timeout=30)
        if self.server_log is not None:
            self.server_log.close()


class Api:
    """Superset's REST API as the admin: a bearer token and the CSRF token of its session."""

    def __init__(self, base: str, password: str) -> None:
        import requests

        self.base = base
        self.session = requests.Session()
        login = self.session.post(
            f"{base}/api/v1/security/login",
            json={"username": ADMIN, "password": password, "provider": "db", "refresh": True},
            timeout=REQUEST_SECONDS,
        )
        self._expect(login, 200, "log in")
        self.session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        csrf = self.get("/api/v1/security/csrf_token/", "get a CSRF token")
        self.session.headers.update({"X-CSRFToken": csrf["result"], "Referer": base})

    def get(self, path: str, what: str, **params: str) -> dict:
        response = self.session.get(f"{self.base}{path}", params=params, timeout=REQUEST_SECONDS)
        self._expect(response, 200, what)
        return response.json()

    def post(self, path: str, body: dict, what: str, status: int = 200) -> dict:
        response = self.session.post(f"{self.base}{path}", json=body, timeout=REQUEST_SECONDS)
        self._expect(response, status, what)
        return response.json()

    @staticmethod
    def _expect(response, status: int, what: str) -> None:
        if response.status_code != status:
            raise CheckError(
                f"could not {what}: HTTP {response.status_code} from"
                f" {response.request.method} {response.request.path_url}: {response.text[:500]}"
            )


def check(api: Api, bi_file: Path, published: Published, outcome: Outcome) -> None:
    uri = f"duckdb:///{bi_file}?access_mode=read_only"
    api.post(
        "/api/v1/database/test_connection/",
        {"database_name": "CX warehouse", "sqlalchemy_uri": uri},
        "test the connection",
    )
    database = api.post(
        "/api/v1/database/",
        {"database_name": "CX warehouse", "sqlalchemy_uri": uri, "expose_in_sqllab": True},
        "register the published file as a database",
        status=201,
    )["id"]

    schemas = api.get(f"/api/v1/database/{database}/schemas/", "list the schemas")["result"]
    schema = next((name for name in schemas if name.endswith(SUPERSET_SCHEMA_SUFFIX)), None)
    if schema is None:
        raise CheckError(f"no schema ending in {SUPERSET_SCHEMA_SUFFIX!r} among {schemas}")
    import prison

    tables = api.get(
        f"/api/v1/database/{database}/tables/", "list the tables",
        q=prison.dumps({"schema_name": schema, "force": True}),
    )["result"]  # fmt: skip
    listed = sorted(table["value"] for table in tables)
    if listed != sorted(published.marts):
        outcome.fail(
            f"schema {schema} lists {len(listed)} tables, the file publishes"
            f" {len(published.marts)}: missing {sorted(set(published.marts) - set(listed))},"
            f" extra {sorted(set(listed) - set(published.marts))}"
        )

    datasets: dict[str, int] = {}
    described = 0
    for mart, columns in published.marts.items():
        created = api.post(
            "/api/v1/dataset/", {"database": database, "schema": schema, "table_name": mart},
            f"create the dataset {mart}", status=201,
        )  # fmt: skip
        datasets[mart] = created["id"]
        dataset = api.get(f"/api/v1/dataset/{created['id']}", f"read the dataset {mart}")
        failures, notes = check_dataset(mart, columns, dataset["result"]["columns"])
        outcome.failures.extend(failures)
        outcome.notes.extend(notes)
        metadata = api.get(
            f"/api/v1/database/{database}/table_metadata/", f"read the table metadata of {mart}",
            name=mart, schema=schema,
        )  # fmt: skip
        if not published.comments[mart]:
            outcome.fail(f"{mart}: the published file has no comment for the table")
        elif metadata.get("comment") != published.comments[mart]:
            outcome.fail(f"{mart}: SQL Lab's table metadata does not show the table's comment")
        described += sum(bool(column.get("description")) for column in dataset["result"]["columns"])
    total = sum(len(columns) for columns in published.marts.values())
    outcome.notes.append(
        f"{len(datasets)} datasets created, {described} of {total} columns described"
    )

    sqllab = api.post(
        "/api/v1/sqllab/execute/",
        {"database_id": database, "sql": "select mart, row_count from meta.published_marts",
         "runAsync": False, "schema": schema},
        "run a query in SQL Lab",
    )  # fmt: skip
    counts = {row["mart"]: row["row_count"] for row in sqllab["data"]}
    if counts != published.row_counts:
        outcome.fail("SQL Lab's row counts of meta.published_marts differ from DuckDB's")
    else:
        outcome.notes.append(f"SQL Lab: the {len(counts)} marts' row counts equal DuckDB's")

    if "mart_nps_monthly" not in datasets:
        outcome.fail("mart_nps_monthly is not published: no chart to query")
        return
    chart = api.post(
        "/api/v1/chart/data",
        {
            "datasource": {"id": datasets["mart_nps_monthly"], "type": "table"},
            "force": True,
            "queries": [
                {
                    "columns": ["month"],
                    "metrics": [
                        {"expressionType": "SQL", "sqlExpression": NPS_METRIC, "label": "nps"},
                        {
                            "expressionType": "SQL",
                            "sqlExpression": "sum(responses)",
                            "label": "responses",
                        },
                    ],
                    "filters": [
                        {"col": "segment", "op": "==", "val": CHART_SEGMENT},
                        {"col": "survey_type", "op": "==", "val": CHART_SURVEY_TYPE},
                    ],
                    "orderby": [["month", True]],
                    "row_limit": 10_000,
                }
            ],
            "result_format": "json",
            "result_type": "full",
        },
        "run the chart-data query (NPS by month)",
    )["result"][0]
    if chart["status"] != "success":
        outcome.fail(f"the chart-data query ended {chart['status']}: {chart['error']}")
        return
    mismatches = compare_nps_by_month(chart["data"], published.nps_by_month)
    if mismatches:
        outcome.failures.extend(mismatches)
        return
    scored = sum(nps is not None for _, nps, _ in published.nps_by_month)
    outcome.notes.append(
        f"chart NPS by month ({CHART_SEGMENT}, {CHART_SURVEY_TYPE}): {chart['rowcount']} months,"
        f" {scored} with responses, equal to mart_nps_monthly.nps"
        f" (tolerance {REL_TOLERANCE:g} relative)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bi_file", type=Path, help="the published file, e.g. warehouse/bi.duckdb")
    args = parser.parse_args(argv)
    bi_file = args.bi_file.resolve()
    if not bi_file.is_file():
        print(f"superset-check: {args.bi_file} does not exist; run `make build` first.")
        return 2
    started = time.monotonic()
    import duckdb

    try:
        published = read_published(bi_file)
    except duckdb.Error as error:
        print(f"superset-check: {bi_file} is not a published file: {error}")
        return 2
    from importlib.metadata import PackageNotFoundError, version

    try:
        versions = ", ".join(
            f"{name} {version(name)}"
            for name in ("apache-superset", "sqlalchemy", "duckdb-engine", "duckdb")
        )
    except PackageNotFoundError as missing:
        print(f"superset-check: {missing.name} is not installed here; run `make superset-check`.")
        return 2
    print(f"superset-check: {versions}; {bi_file}")
    home = Path(tempfile.mkdtemp(prefix="cx-superset-"))
    superset = Superset(home)
    outcome = Outcome()
    try:
        print("superset-check: initialising a throwaway Superset in", home)
        superset.initialise()
        base = superset.start()
        print(f"superset-check: server on {base}")
        check(Api(base, superset.password), bi_file, published, outcome)
    except CheckError as error:
        outcome.fail(str(error))
    except (OSError, KeyError, ValueError) as error:  # requests' errors are OSErrors
        outcome.fail(f"{type(error).__name__}: {error}")
    finally:
        superset.stop()
    seconds = time.monotonic() - started
    for note in outcome.notes:
        print(f"  {note}")
    if outcome.failures:
        for failure in outcome.failures:
            print(f"  FAILED: {failure}")
        print(f"superset-check: {len(outcome.failures)} failure(s) in {seconds:.0f} s;"
              f" Superset's folder and logs are kept in {home}")  # fmt: skip
        return 1
    shutil.rmtree(home, ignore_errors=True)
    print(f"superset-check: passed in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
