"""dbt's documentation site: one self-contained page with every published mart, its
lineage back to the extracts, and the BI file as the exposure that reads them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import DBT, REPO, Build, build_env
from cx import paths
from cx.contract import EXTRACTS


@pytest.fixture(scope="module")
def site(tiny_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`dbt docs generate --static` over the tiny build, as `make docs` runs it."""
    workdir = tmp_path_factory.mktemp("docs")
    env = build_env(workdir, None, CX_BUILD_DB=str(tiny_build.database))
    proc = subprocess.run(
        [str(DBT), "docs", "generate", "--static", "--target-path", str(workdir / "target")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return workdir / "target"


def _manifest(site: Path) -> dict:
    return json.loads((site / "manifest.json").read_text(encoding="utf-8"))


def test_the_page_holds_every_published_mart_with_its_columns(site: Path, tiny_build: Build):
    page = (site / "static_index.html").read_text(encoding="utf-8")
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    marts = [name for (name,) in tiny_build.query(paths.MARTS_SQL)]
    assert len(marts) == 28
    for mart in marts:
        assert f"model.cx.{mart}" in page, mart
        # The catalog read the built table: the page shows its real columns and types.
        assert catalog["nodes"][f"model.cx.{mart}"]["columns"], mart


def _ancestors(manifest: dict, node: str) -> set[str]:
    seen: set[str] = set()
    stack = [node]
    while stack:
        for parent in manifest["parent_map"].get(stack.pop(), []):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def test_lineage_runs_from_the_extracts_to_every_mart_and_the_bi_file(site: Path):
    manifest = _manifest(site)
    marts = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }
    extracts = {
        unique_id
        for unique_id, source in manifest["sources"].items()
        if source["source_meta"].get("contract") == "raw-extracts"
    }
    assert len(extracts) == len(EXTRACTS)
    reached: set[str] = set()
    for mart in marts:
        sources = _ancestors(manifest, mart) & extracts
        assert sources, f"{mart} does not reach an extract"
        reached |= sources
    assert reached == extracts  # every extract feeds some mart
    exposure = manifest["exposures"]["exposure.cx.bi_file"]
    assert set(exposure["depends_on"]["nodes"]) == marts
