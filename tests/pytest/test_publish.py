"""The gate and publishing, with real processes: readers, kills, races, BI clients."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, TINY, Build, copy_build, dbt_build
from cx.gate import run_gate
from cx.personal_data import WITHHELD_KINDS
from cx.publish import META_DESCRIPTIONS, publish

# Real processes that race, kill and read: `--dist loadfile` keeps them on one worker.
pytestmark = pytest.mark.build

CX = Path(sys.executable).with_name("cx")
BI_READER = REPO / ".venv" / "bi-reader" / "bin" / "python"
BI_SQLA14 = REPO / ".venv" / "bi-sqla14" / "bin" / "python"
SQLA14_REFLECTION = Path(__file__).parent / "bi_clients" / "sqlalchemy14_reflection.py"
MARTS = 28


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _env(build_db: Path, bi_db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CX_")}
    env.update(CX_BUILD_DB=str(build_db), CX_BI_DB=str(bi_db))
    return env


def _mart_descriptions(build: Build) -> dict[str, tuple[str, dict[str, str]]]:
    """Each mart's rendered dbt description and its columns', from the build's manifest."""
    manifest = json.loads((build.database.parent / "target" / "manifest.json").read_text())
    return {
        node["name"]: (
            node["description"],
            {column: spec["description"] for column, spec in node["columns"].items()},
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }


def _withheld_by_manifest(build: Build) -> set[str]:
    """`mart.column` of every mart column tagged as an email, phone, name or address."""
    manifest = json.loads((build.database.parent / "target" / "manifest.json").read_text())
    return {
        f"{node['name']}.{column}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
        for column, spec in node["columns"].items()
        if (spec.get("meta") or spec.get("config", {}).get("meta") or {}).get("pii")
        in WITHHELD_KINDS
    }


def _comments(database: Path) -> tuple[dict[tuple[str, str], str | None], dict[tuple, str | None]]:
    """Every table's comment by (schema, table); every column's by (schema, table, column)."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.sql(
            "select schema_name, table_name, comment from duckdb_tables() where not internal"
        ).fetchall()
        columns = con.sql(
            "select schema_name, table_name, column_name, comment from duckdb_columns()"
            " where not internal"
        ).fetchall()
    return {row[:2]: row[2] for row in tables}, {row[:3]: row[3] for row in columns}


def _segment_and_stamp(bi_db: Path) -> tuple[str, str]:
    """One value from a mart and the publication's own record: they must come together."""
    with duckdb.connect(str(bi_db), read_only=True) as con:
        segment = con.sql("select segment from marts.dim_customers").fetchall()[0][0]
        marts = con.sql(
            "select count(*) from duckdb_tables() where schema_name = 'marts'"
        ).fetchall()[0][0]
        counts = con.sql("select mart, row_count from meta.published_marts").fetchall()
        for mart, rows in counts:
            assert con.sql(f"select count(*) from marts.{mart}").fetchall()[0][0] == rows
        stamp = str(con.sql("select published_at from meta.publication").fetchall()[0][0])
    assert marts == MARTS
    return segment, stamp


@pytest.fixture
def builds(tiny_build: Build, tmp_path: Path) -> dict[str, Path]:
    """Two good builds that differ in one visible value, and one the gate must stop."""
    return {
        "a": copy_build(tiny_build, tmp_path / "a" / "build.duckdb"),
        "b": copy_build(
            tiny_build,
            tmp_path / "b" / "build.duckdb",
            "update marts.dim_customers set segment = 'smb'",
        ),
        "bad": copy_build(
            tiny_build,
            tmp_path / "bad" / "build.duckdb",
            # What the gate checks and dbt does not: a standard error over 100 NPS points,
            # a ticket created after the gate's clock.
            "update marts.mart_nps_monthly set nps_std_error = 150"
            " where segment = 'all' and responses > 0",
            "update marts.fct_support_tickets set created_at = timestamp '2999-01-01'"
            " where ticket_id = 500",
            "delete from marts.fct_survey_responses",
        ),
    }


def test_the_gate_passes_good_marts(builds, tmp_path):
    result = run_gate(builds["a"], tmp_path / "gx")
    assert result.success, result.format()
    assert len(result.checked) == MARTS + 2  # every mart, the reconciliations, freshness


def test_the_gate_names_what_failed_and_writes_data_docs(builds, tmp_path):
    result = run_gate(builds["bad"], tmp_path / "gx")
    assert not result.success
    failed = {(f.suite, f.expectation, f.column): f for f in result.failures}
    nps = failed[("mart_nps_monthly", "expect_column_values_to_be_between", "nps_std_error")]
    assert nps.unexpected_count == 1 and nps.examples == [150.0]
    assert ("fct_support_tickets", "expect_column_max_to_be_between", "created_at") in failed
    reconciliation = failed[("reconciliation", "expect_column_pair_values_to_be_equal", None)]
    assert any("mart_nps_monthly" in row[0] for row in reconciliation.examples)
    report = result.format()
    assert "FAILED mart_nps_monthly.nps_std_error" in report and "open with:" in report
    assert result.docs_index is not None and result.docs_index.exists()
    assert result.docs_index.is_relative_to(tmp_path / "gx")


def test_a_failed_gate_leaves_the_published_marts_exactly_as_they_were(builds, tmp_path):
    bi = tmp_path / "bi" / "bi.duckdb"
    publish(builds["a"], bi, bi.parent / "bi_parquet")
    before = _digest(bi)

    completed = subprocess.run(
        [str(CX), "publish"], env=_env(builds["bad"], bi), capture_output=True, text=True,
        cwd=REPO, check=False,
    )  # fmt: skip

    assert completed.returncode == 1
    assert "FAILED mart_nps_monthly.nps" in completed.stdout
    assert _digest(bi) == before


READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
def read():
    return con.sql("select segment from marts.dim_customers").fetchall()[0][0]
print(read(), flush=True)
sys.stdin.readline()
print(read(), flush=True)
"""


def test_an_open_reader_neither_blocks_publishing_nor_sees_a_mix(builds, tmp_path):
    bi = tmp_path / "bi" / "bi.duckdb"
    publish(builds["a"], bi, bi.parent / "bi_parquet")
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(bi)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert reader.stdout.readline().strip() == "consumer"
        started = time.monotonic()
        publish(builds["b"], bi, bi.parent / "bi_parquet")  # the reader still has the file open
        assert time.monotonic() - started < 30
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "consumer"  # its snapshot, whole
    finally:
        reader.kill()
        reader.wait()
    assert _segment_and_stamp(bi)[0] == "smb"  # a new reader sees the new marts, whole


def test_a_publish_killed_at_any_moment_corrupts_nothing(builds, tmp_path):
    bi = tmp_path / "bi" / "bi.duckdb"
    publish(builds["a"], bi, bi.parent / "bi_parquet")
    started = time.monotonic()
    publish(builds["b"], bi, bi.parent / "bi_parquet")
    duration = time.monotonic() - started
    publish(builds["a"], bi, bi.parent / "bi_parquet")
    rng = random.Random(7)
    outcomes = set()
    for _ in range(6):
        process = subprocess.Popen(
            [str(CX), "publish", "--skip-gate"], env=_env(builds["b"], bi), cwd=REPO,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(rng.uniform(0.5, 0.5 + 2 * duration))
        process.send_signal(signal.SIGKILL)
        process.wait()
        segment, _ = _segment_and_stamp(bi)  # opens, every mart whole and consistent
        outcomes.add(segment)
        publish(builds["a"], bi, bi.parent / "bi_parquet")  # back to a, cleaning up leftovers
    assert outcomes <= {"consumer", "smb"}
    leftovers = [p.name for p in bi.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_two_publishes_at_once_both_finish_and_one_wins_whole(builds, tmp_path):
    bi = tmp_path / "bi" / "bi.duckdb"
    processes = [
        subprocess.Popen(
            [str(CX), "publish", "--skip-gate"],
            env=_env(builds[name], bi),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    for process in processes:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
    assert _segment_and_stamp(bi)[0] in {"consumer", "smb"}
    assert len(list((bi.parent).glob("bi_parquet.*"))) == 1


def test_parquet_holds_every_mart_and_its_descriptions(builds, tiny_build, tmp_path):
    bi = tmp_path / "bi" / "bi.duckdb"
    publication = publish(builds["a"], bi, bi.parent / "bi_parquet")
    files = sorted(p.stem for p in (bi.parent / "bi_parquet").glob("*.parquet"))
    assert files == sorted(publication.marts)
    described = _mart_descriptions(tiny_build)
    with duckdb.connect() as con:
        for mart, rows in publication.marts.items():
            parquet = bi.parent / "bi_parquet" / f"{mart}.parquet"
            assert con.sql(f"select count(*) from '{parquet}'").fetchall()[0][0] == rows
            metadata = dict(
                con.execute(
                    "select decode(key), decode(value) from parquet_kv_metadata(?)", [str(parquet)]
                ).fetchall()
            )
            table, columns = described[mart]
            assert metadata["description"] == table
            # Every column but the personal data left out by default.
            assert json.loads(metadata["column_descriptions"]) == {
                column: text
                for column, text in columns.items()
                if f"{mart}.{column}" not in publication.withheld
            }


def test_every_published_table_and_column_carries_its_description(builds, tiny_build, tmp_path):
    """Marts carry their rendered dbt descriptions (doc blocks resolved), the meta tables
    their own: a BI tool shows them, and so does `select * from duckdb_columns()`."""
    bi = tmp_path / "bi" / "bi.duckdb"
    publication = publish(builds["a"], bi, bi.parent / "bi_parquet")
    assert publication.undescribed == ()
    tables, columns = _comments(bi)
    expected_tables = {
        ("marts", mart): table for mart, (table, _) in _mart_descriptions(tiny_build).items()
    }
    # Personal data is left out by default: exactly the mart columns the YAML tags so.
    assert set(publication.withheld) == _withheld_by_manifest(tiny_build) != set()
    expected_columns = {
        ("marts", mart, column): comment
        for mart, (_, described) in _mart_descriptions(tiny_build).items()
        for column, comment in described.items()
        if f"{mart}.{column}" not in publication.withheld
    }
    for table, description in META_DESCRIPTIONS.items():
        expected_tables[("meta", table)] = description.table
        expected_columns.update(
            {("meta", table, column): comment for column, comment in description.columns.items()}
        )
    assert len(expected_tables) == MARTS + 2
    assert tables == expected_tables  # every published table, and nothing else
    assert columns == expected_columns  # every published column, and nothing else
    assert all(comment and comment.strip() for comment in [*tables.values(), *columns.values()])
    assert not any("{{" in comment or "{%" in comment for comment in columns.values())


def test_descriptions_are_published_verbatim_whatever_they_hold(tiny_build, tmp_path):
    """Quotes, the dbt adapter's dollar quote, a statement separator and line breaks stay text."""
    table = "It's \"the\" customers'; drop table marts.dim_customers; --\n$$ $x$ \\ é ✓"
    column = "A segment's 'name'\n\n  with \"quotes\" and a $dbt_comment_literal_block$ ;"
    literal = "'" + table.replace("'", "''") + "'"
    build = copy_build(
        tiny_build, tmp_path / "odd" / "build.duckdb",
        f"comment on table marts.dim_customers is {literal}",
        "comment on column marts.dim_customers.segment is '" + column.replace("'", "''") + "'",
    )  # fmt: skip
    bi = tmp_path / "bi" / "bi.duckdb"
    publish(build, bi, bi.parent / "bi_parquet")
    tables, columns = _comments(bi)
    assert tables[("marts", "dim_customers")] == table
    assert columns[("marts", "dim_customers", "segment")] == column
    with duckdb.connect() as con:
        metadata = dict(
            con.execute(
                "select decode(key), decode(value) from parquet_kv_metadata(?)",
                [str(bi.parent / "bi_parquet" / "dim_customers.parquet")],
            ).fetchall()
        )
    assert metadata["description"] == table
    assert json.loads(metadata["column_descriptions"])["segment"] == column


def test_a_mart_column_without_a_description_is_named_when_published(tiny_build, tmp_path):
    build = copy_build(
        tiny_build, tmp_path / "undescribed" / "build.duckdb",
        "comment on column marts.dim_customers.segment is null",
        "comment on view marts.fct_touchpoints is null",
    )  # fmt: skip
    bi = tmp_path / "bi" / "bi.duckdb"

    completed = subprocess.run(
        [str(CX), "publish", "--skip-gate"], env=_env(build, bi), capture_output=True, text=True,
        cwd=REPO, check=False,
    )  # fmt: skip

    assert completed.returncode == 0, completed.stderr
    assert (
        "without a description (no comment in the build database):"
        " dim_customers.segment, fct_touchpoints"
    ) in completed.stdout
    tables, columns = _comments(bi)
    assert columns[("marts", "dim_customers", "segment")] is None
    assert tables[("marts", "fct_touchpoints")] is None
    assert columns[("marts", "dim_customers", "customer_id")]  # the others are kept


def test_a_bi_tool_connects_with_sqlalchemy_like_superset(builds, tmp_path):
    from sqlalchemy import MetaData, create_engine, inspect, text

    bi = tmp_path / "bi" / "bi.duckdb"
    publish(builds["a"], bi, bi.parent / "bi_parquet")
    tables, comments = _comments(bi)
    engine = create_engine(f"duckdb:///{bi}", connect_args={"read_only": True})
    inspector = inspect(engine)
    # The dialect lists schemas with their catalog, named after the file: `bi.marts`.
    assert "bi.marts" in inspector.get_schema_names()
    assert len(inspector.get_table_names(schema="bi.marts")) == MARTS
    assert len(inspector.get_table_names(schema="marts")) == MARTS
    reflected = inspector.get_columns("mart_nps_monthly", schema="marts")
    columns = {c["name"] for c in reflected}
    assert {"month", "segment", "survey_type", "nps", "nps_ci_low", "nps_ci_high"} <= columns
    # Reflection carries the descriptions: Superset fills a dataset column's from `comment`.
    assert {c["name"]: c["comment"] for c in reflected} == {
        column: comment for (schema, table, column), comment in comments.items()
        if (schema, table) == ("marts", "mart_nps_monthly")
    }  # fmt: skip
    table_comment = inspector.get_table_comment("mart_nps_monthly", schema="marts")
    assert table_comment["text"] == tables[("marts", "mart_nps_monthly")]
    # Full reflection, as BI tools and notebooks do it (duckdb-engine 0.17 failed here).
    metadata = MetaData()
    metadata.reflect(engine, schema="marts")
    assert len(metadata.tables) == MARTS
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "select segment, survey_type, nps from marts.mart_nps_monthly"
                " where responses > 0 order by segment"
            )
        ).fetchall()
    assert rows == [("all", "relationship_nps", 100.0), ("consumer", "relationship_nps", 100.0)]
    engine.dispose()


def test_a_sqlalchemy_14_bi_tool_reflects_every_mart_like_superset(builds, tmp_path):
    """Superset 6.1 pins SQLAlchemy 1.4, where duckdb-engine is the dialect that works."""
    assert BI_SQLA14.exists(), "run `make setup`: it installs the SQLAlchemy 1.4 client"
    bi = tmp_path / "bi" / "bi.duckdb"
    publish(builds["a"], bi, bi.parent / "bi_parquet")
    completed = subprocess.run(
        [str(BI_SQLA14), str(SQLA14_REFLECTION), str(bi)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    client = json.loads(completed.stdout)
    assert client["versions"] == {
        "sqlalchemy": "1.4.54", "duckdb-engine": "0.17.0", "duckdb": "2.0.1",
    }  # fmt: skip
    assert "bi.marts" in client["schemas"]

    tables, comments = _comments(bi)
    with duckdb.connect(str(bi), read_only=True) as con:
        published = con.sql(
            "select table_name, column_name, data_type from duckdb_columns()"
            " where schema_name = 'marts' order by table_name, column_index"
        ).fetchall()
        tagged = con.sql(
            "select ticket_id, tags from marts.fct_support_tickets"
            " where len(tags) > 0 order by ticket_id limit 1"
        ).fetchall()
    marts = sorted({table for table, _, _ in published})
    assert len(marts) == MARTS
    # Every mart, inspected one by one and by MetaData.reflect, with every column in order.
    assert sorted(client["tables"]) == sorted(client["reflected"]) == marts
    for mart in marts:
        columns = [column for table, column, _ in published if table == mart]
        reflected = client["tables"][mart]
        assert [name for name, _, _ in reflected["columns"]] == columns, mart
        assert client["reflected"][mart] == columns, mart
        assert reflected["comment"] == tables[("marts", mart)] and reflected["comment"], mart
        for name, _, comment in reflected["columns"]:
            assert comment == comments[("marts", mart, name)] and comment, (mart, name)
    # DuckDB's pg_catalog.format_type names a list column `list`, without its element
    # type, so SQLAlchemy 1.4's PostgreSQL reflection cannot map it: the four VARCHAR[]
    # columns, and only they, come back untyped (NullType) with a warning each.
    untyped = {
        (mart, name)
        for mart, spec in client["tables"].items()
        for name, type_name, _ in spec["columns"]
        if type_name == "NullType"
    }
    lists = {(table, column) for table, column, data_type in published if data_type.endswith("[]")}
    assert untyped == lists == {
        ("fct_customer_churn", "negative_verbatim_themes_90d"),
        ("fct_reviews", "review_themes"),
        ("fct_support_tickets", "tags"),
        ("fct_survey_responses", "comment_themes"),
    }  # fmt: skip
    assert client["warnings"] == [
        "DuckDBEngineWarning: duckdb-engine doesn't yet support reflection on indices",
        *sorted(
            f"SAWarning: Did not recognize type 'list' of column '{column}'" for _, column in lists
        ),
    ]
    # ... and read as Python lists, on the same engine after reflection.
    assert tagged and client["rows"] == [[ticket_id, tags] for ticket_id, tags in tagged]


def test_a_duckdb_1x_client_reads_the_published_file(builds, tmp_path):
    assert BI_READER.exists(), "run `make setup`: it installs the DuckDB 1.x reader"
    bi = tmp_path / "bi" / "bi.duckdb"
    publish(builds["a"], bi, bi.parent / "bi_parquet")
    completed = subprocess.run(
        [str(BI_READER), "-c",
         "import sys, duckdb; con = duckdb.connect(sys.argv[1], read_only=True);"
         "print(duckdb.__version__, con.sql('select count(*) from marts.fct_touchpoints')"
         ".fetchall()[0][0], *con.sql('select count(*), count(comment) from duckdb_columns()"
         " where not internal').fetchall()[0])", str(bi)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    version, rows, columns, commented = completed.stdout.split()
    # The tiny extracts' touchpoints: 10 from the CRM, help desk and surveys, and reviews
    # RV1 and RV2 (RV3's rating 4.5 is quarantined).
    assert version.startswith("1.") and int(rows) == 12
    assert int(columns) == int(commented) == len(_comments(bi)[1])  # every description read


def test_two_builds_started_at_once_lose_or_corrupt_nothing(tmp_path):
    """Both race for the build database; DuckDB lets one writer in. The other stops
    before publishing anything, and what is published is whole."""
    from conftest import TINY, build_env

    env = build_env(tmp_path, TINY, CX_BI_DB=str(tmp_path / "bi" / "bi.duckdb"))
    processes = [
        subprocess.Popen(
            [str(CX), "build", "--allow-stale"],  # the tiny extracts are dated 2025
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=600)[0] for process in processes]
    codes = [process.returncode for process in processes]
    assert 0 in codes, outputs
    for code, output in zip(codes, outputs, strict=True):
        if code != 0:
            assert "lock" in output.lower() and "published marts are unchanged" in output
    assert _segment_and_stamp(tmp_path / "bi" / "bi.duckdb")[0] == "consumer"


def test_a_failed_build_leaves_the_published_marts_exactly_as_they_were(builds, tmp_path):
    from conftest import TINY, build_env, copy_extracts

    bi = tmp_path / "bi" / "bi.duckdb"
    publish(builds["a"], bi, bi.parent / "bi_parquet")
    before = _digest(bi)
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    (extracts / "support" / "tickets.csv").unlink()

    completed = subprocess.run(
        [str(CX), "build"], env=build_env(tmp_path / "work", extracts, CX_BI_DB=str(bi)),
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert completed.returncode == 1
    assert "support/tickets.csv (or .parquet) does not exist" in completed.stdout
    assert "The published marts are unchanged" in completed.stderr
    assert _digest(bi) == before


def test_a_build_database_of_any_name_publishes_its_views(tmp_path):
    """fct_touchpoints is a view naming its tables with the build file's catalog."""
    build = dbt_build(tmp_path, TINY, "--exclude-resource-type", "test",
                      CX_BUILD_DB=str(tmp_path / "warehouse_copy.duckdb"))  # fmt: skip
    assert build.returncode == 0, build.output
    touchpoints = build.query("select count(*) from marts.fct_touchpoints")[0][0]
    assert touchpoints > 0
    publication = publish(build.database, tmp_path / "bi" / "bi.duckdb", tmp_path / "bi" / "pq")
    assert publication.marts["fct_touchpoints"] == touchpoints
    with duckdb.connect(str(tmp_path / "bi" / "bi.duckdb"), read_only=True) as con:
        assert con.sql(
            "select table_type from information_schema.tables where table_name = 'fct_touchpoints'"
        ).fetchall() == [("BASE TABLE",)]
