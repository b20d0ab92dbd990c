"""The contract is written in three places; they must say the same thing."""

from __future__ import annotations

import csv
import re

import yaml

from conftest import REPO, Build
from cx.contract import EXTRACTS


def _source_columns() -> dict[str, list[str]]:
    columns = {}
    for path in (REPO / "models" / "staging").glob("*/_*__sources.yml"):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                key = f"{source['name']}/{table['name']}"
                columns[key] = [c["name"] for c in table["columns"]]
    return columns


def test_dbt_sources_list_the_contract_columns_in_order():
    expected = {f"{e.system}/{e.table}": list(e.columns) for e in EXTRACTS}
    assert _source_columns() == expected


def test_the_optional_extracts_are_the_same_in_the_module_and_the_sources():
    """Only reviews/reviews is optional (a missing file is an extract without lines);
    the dbt source table and `Extract.optional` say so together."""
    optional = set()
    for path in (REPO / "models" / "staging").glob("*/_*__sources.yml"):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                meta = (table.get("config") or {}).get("meta") or table.get("meta") or {}
                if meta.get("optional") is True:
                    optional.add(f"{source['name']}/{table['name']}")
    assert optional == {f"{e.system}/{e.table}" for e in EXTRACTS if e.optional}
    assert optional == {"reviews/reviews"}


def test_committed_sample_headers_are_the_contract_columns():
    for extract in EXTRACTS:
        with (REPO / "seeds" / extract.relpath).open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == list(extract.columns), extract.relpath


def test_raw_seeds_are_loaded_as_text():
    seeds = yaml.safe_load((REPO / "seeds" / "_raw__seeds.yml").read_text())["seeds"]
    types = {seed["name"]: seed["config"]["column_types"] for seed in seeds}
    for extract in EXTRACTS:
        assert types[extract.table] == dict.fromkeys(extract.columns, "varchar")


def _mart_contract() -> dict[str, set[str]]:
    """docs/contract/marts.md: each mart and the columns it must hold at least."""
    columns = {}
    for line in (REPO / "docs" / "contract" / "marts.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"`\w+`", cells[0]):
            # what a parenthesis says about a column is not a column
            named = re.sub(r"\([^)]*\)", "", cells[2])
            columns[cells[0].strip("`")] = set(re.findall(r"`(\w+)`", named))
    return columns


def test_every_mart_holds_the_columns_its_contract_names(tiny_build: Build):
    contract = _mart_contract()
    assert {"mart_nps_monthly", "mart_support_monthly", "mart_csat_ces_monthly"} <= set(contract)
    built: dict[str, set[str]] = {}
    for table, column in tiny_build.query(
        "select table_name, column_name from information_schema.columns"
        " where table_schema = 'marts'"
    ):
        built.setdefault(table, set()).add(column)
    missing = {mart: sorted(names - built.get(mart, set())) for mart, names in contract.items()}
    assert {mart: names for mart, names in missing.items() if names} == {}
