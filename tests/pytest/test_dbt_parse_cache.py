"""Test builds share one dbt parse (dbt_parse_cache/sitecustomize.py, conftest.build_env)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from conftest import PARSE_CACHE_HOOK, REPO, TINY, copy_extracts, dbt_command

spec = importlib.util.spec_from_file_location("parse_cache", PARSE_CACHE_HOOK / "sitecustomize.py")
parse_cache = importlib.util.module_from_spec(spec)
spec.loader.exec_module(parse_cache)

# Parts of a manifest that differ between any two parses of the same files.
UNSTABLE_KEYS = {"created_at", "generated_at", "invocation_id", "invocation_started_at"}


def test_only_variables_compared_with_empty_text_everywhere_are_reduced_to_that():
    project = (
        "a: \"{{ env_var('EMPTY_ONLY', '') == '' }}\"\n"
        "b: \"{{ 'x' if env_var('EMPTY_ONLY', '') == '' else '' }}\"\n"
        "c: \"{{ env_var('ALSO_READ', '') == '' }}\"\n"
        "d: \"{{ env_var('ALSO_READ', '') }}\"\n"
        'e: "{{ env_var("OTHER_QUOTES") }}"\n'
    )
    assert parse_cache.empty_tests(project) == {"EMPTY_ONLY"}


def test_the_project_reads_no_environment_variable_but_the_extracts_folder_for_its_value():
    # The reuse is worth it only while this holds: every build has its own extracts folder.
    project = (REPO / "dbt_project.yml").read_text(encoding="utf-8")
    assert "CX_EXTRACTS_DIR" in parse_cache.empty_tests(project)


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("{{ target.path }}", True),
        ("{{ target['path'] }}", True),
        ('{{ target.get("path") }}', True),
        ("{{ target.name }} {{ target.schema }}", False),
    ],
)
def test_a_project_reading_the_database_path_keeps_the_path_in_the_check(tmp_path, text, reads):
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "m.sql").write_text(text, encoding="utf-8")
    assert parse_cache.reads_target_path(tmp_path) is reads


def test_the_project_reads_no_database_path_while_parsing():
    assert parse_cache.reads_target_path(REPO) is False


@pytest.mark.parametrize(
    ("argv", "runs"),
    [
        (["/venv/bin/python", "/venv/bin/dbt", "build"], True),  # the dbt script
        (["/venv/bin/python", "-P", "-m", "cx.dbt_build", "--full-refresh"], True),  # cx build
        (["/venv/bin/python", "-m", "cx.dbt_build"], True),
        (["/venv/bin/python", "-m", "pytest", "-m", "build"], False),
        (["/venv/bin/python", "/venv/bin/cx", "build"], False),
        (["/venv/bin/python", "-c", "import dbt"], False),
        (["/venv/bin/python"], False),
    ],
)
def test_the_parse_is_shared_by_dbt_processes_only(argv, runs):
    assert parse_cache.runs_dbt(argv) is runs


def _manifest(workdir: Path) -> dict:
    def stable(value):
        if isinstance(value, dict):
            return {k: stable(v) for k, v in value.items() if k not in UNSTABLE_KEYS}
        if isinstance(value, list):
            return [stable(v) for v in value]
        return value

    manifest = json.loads((workdir / "target" / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("metadata")
    return stable(manifest)


def _log(workdir: Path) -> str:
    return (workdir / "logs" / "dbt.log").read_text(encoding="utf-8")


@pytest.mark.build
def test_a_build_with_its_own_database_and_extracts_reuses_the_parse_and_gets_the_same_manifest(
    tmp_path,
):
    cache = tmp_path / "cache"
    first, second, full = tmp_path / "first", tmp_path / "second", tmp_path / "full"
    parse = dbt_command("parse", first, copy_extracts(TINY, first / "extracts"),
                        CX_TEST_DBT_PARSE_CACHE=str(cache))  # fmt: skip
    assert parse.returncode == 0, parse.output
    assert "Unable to do partial parsing because saved manifest not found" in _log(first)

    # Another database, target and extracts folder: dbt without the hook would parse in full.
    extracts = copy_extracts(TINY, second / "extracts")
    parse = dbt_command("parse", second, extracts, CX_TEST_DBT_PARSE_CACHE=str(cache))
    assert parse.returncode == 0, parse.output
    assert "Unable to do partial parsing" not in _log(second)
    assert "Partial parsing enabled" in _log(second)

    # The same build without the hook: a full parse, and the manifest it writes is the same.
    parse = dbt_command("parse", full, extracts, CX_BUILD_DB=str(second / "build.duckdb"),
                        CX_TEST_DBT_PARSE_CACHE="")  # fmt: skip
    assert parse.returncode == 0, parse.output
    assert "Unable to do partial parsing because saved manifest not found" in _log(full)
    assert _manifest(second) == _manifest(full)


@pytest.mark.build
def test_the_sample_and_extracts_modes_never_share_a_parse(tmp_path):
    cache = tmp_path / "cache"
    extracts = dbt_command("parse", tmp_path / "extracts_mode", TINY,
                           CX_TEST_DBT_PARSE_CACHE=str(cache))  # fmt: skip
    assert extracts.returncode == 0, extracts.output
    assert "seed.cx.contacts" not in _manifest(tmp_path / "extracts_mode")["nodes"]
    sample = dbt_command(
        "parse", tmp_path / "sample_mode", None, CX_TEST_DBT_PARSE_CACHE=str(cache)
    )
    assert sample.returncode == 0, sample.output
    assert "Unable to do partial parsing because saved manifest not found" in _log(
        tmp_path / "sample_mode"
    )
    manifest = _manifest(tmp_path / "sample_mode")
    assert "seed.cx.contacts" in manifest["nodes"]  # the sample's seeds are enabled
