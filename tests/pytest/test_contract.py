"""The contract is written in three places; they must say the same thing."""

from __future__ import annotations

import csv

import yaml

from conftest import REPO
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
