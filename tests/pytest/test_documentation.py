"""Every model and every column it builds is described: what analysts read in dbt docs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, Build

pytestmark = pytest.mark.build


def test_every_model_and_built_column_has_a_description(tiny_build: Build):
    manifest = json.loads((tiny_build.database.parent / "target" / "manifest.json").read_text())
    # snapshots too: the snapshot of contacts is a table in the build database
    models = [n for n in manifest["nodes"].values() if n["resource_type"] in ("model", "snapshot")]
    undocumented_models = [m["name"] for m in models if not m["description"].strip()]
    assert undocumented_models == []

    with duckdb.connect(str(tiny_build.database), read_only=True) as con:
        built = con.sql(
            "select table_schema, table_name, column_name from information_schema.columns"
        ).fetchall()
    documented = {
        (m["schema"], m["name"], column)
        for m in models
        for column, spec in m["columns"].items()
        if spec["description"].strip()
    }
    model_tables = {(m["schema"], m["name"]) for m in models}
    undocumented_columns = sorted(
        f"{schema}.{table}.{column}"
        for schema, table, column in built
        if (schema, table) in model_tables and (schema, table, column) not in documented
    )
    assert undocumented_columns == []


def test_only_the_models_that_keep_state_call_themselves_incremental(tiny_build: Build):
    """Everything after the typed extract lines is rebuilt whole on every run: a
    description that says otherwise tells a data engineer to fear stale rows where
    there are none, or to trust a state that does not exist."""
    manifest = json.loads((tiny_build.database.parent / "target" / "manifest.json").read_text())
    keeping_state = ("extract_lines", "incremental", "snapshot")
    claims = sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"]["materialized"] not in keeping_state
        and re.search(r"\bincremental\b", node["description"], re.IGNORECASE)
    )
    assert claims == []


def test_lifecycle_and_journey_stage_say_where_they_come_from(tiny_build: Build):
    """A `lead` in `loyalty` is not a defect: the CRM's sales label and behaviour differ."""
    manifest = json.loads((tiny_build.database.parent / "target" / "manifest.json").read_text())
    (dim,) = [n for n in manifest["nodes"].values() if n["name"] == "dim_customers"]
    lifecycle = dim["columns"]["lifecycle_stage"]["description"]
    journey = dim["columns"]["current_journey_stage"]["description"]
    assert "CRM" in lifecycle and "sales" in lifecycle and "current_journey_stage" in lifecycle
    assert "Behaviour-derived" in journey and "lifecycle_stage" in journey


def _doc_block(path: Path, name: str) -> str:
    """The text of `{% docs name %}` in ``path``, as dbt renders it (stripped)."""
    match = re.search(
        r"{%\s*docs\s+" + name + r"\s*%}(.*?){%\s*enddocs\s*%}", path.read_text(), re.S
    )
    assert match, f"{path}: no docs block {name}"
    return match.group(1).strip()


def test_every_mart_and_column_carries_its_rendered_description_as_a_comment(tiny_build: Build):
    """dbt writes each mart's description as a DuckDB comment (persist_docs), which publishing
    copies to the BI file: a mart or mart column without a description fails here."""
    manifest = json.loads((tiny_build.database.parent / "target" / "manifest.json").read_text())
    marts = {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["schema"] == "marts"
    }
    with duckdb.connect(str(tiny_build.database), read_only=True) as con:
        tables = con.sql(
            "select table_name, comment from duckdb_tables() where schema_name = 'marts'"
            " union all select view_name, comment from duckdb_views() where schema_name = 'marts'"
        ).fetchall()
        columns = con.sql(
            "select table_name, column_name, comment from duckdb_columns()"
            " where schema_name = 'marts'"
        ).fetchall()
    assert sorted(name for name, _ in tables) == sorted(marts)
    undescribed = [name for name, comment in tables if not (comment or "").strip()]
    undescribed += [f"{t}.{c}" for t, c, comment in columns if not (comment or "").strip()]
    assert undescribed == []
    assert {name: comment for name, comment in tables} == {
        name: node["description"] for name, node in marts.items()
    }
    assert {(t, c): comment for t, c, comment in columns} == {
        (name, column): spec["description"]
        for name, node in marts.items()
        for column, spec in node["columns"].items()
    }
    # A doc block is rendered, not pasted as Jinja: '{{ doc("journey_stage") }}' in the YAML.
    (stage,) = [
        comment for t, c, comment in columns if (t, c) == ("fct_touchpoints", "journey_stage")
    ]
    assert stage == _doc_block(
        REPO / "models" / "marts" / "journey" / "_journey__docs.md", "journey_stage"
    )
