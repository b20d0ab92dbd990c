"""Every query that reads a base model through an import CTE declares it
``as not materialized``: DuckDB materializes a CTE read more than once, and a
base model's lines carry their raw JSON (DECISIONLOG.md, "Typed lines are read,
not buffered"). So does what ``cx add-source`` writes."""

from __future__ import annotations

import re

from conftest import REPO

# An import CTE: `name as [not materialized] (` then `select * from <a base model>`.
IMPORT_CTE = re.compile(
    r"^\s*(?P<name>[{}\w. ]+?) as (?P<how>not materialized )?\(\s*\n"
    r"\s*select \* from \{\{ ref\((?P<base>'base_\w+'|extract\.base)\) \}\}",
    re.MULTILINE,
)


def _import_ctes(text: str) -> list[tuple[str, bool]]:
    return [(m["name"].strip(), bool(m["how"])) for m in IMPORT_CTE.finditer(text)]


def test_the_pattern_sees_both_forms():
    text = (
        "with\n\nlines as (\n    select * from {{ ref('base_crm__orders') }}\n),\n"
        "{{ extract.base }} as not materialized (\n        select * from {{ ref(extract.base) }}"
    )
    assert _import_ctes(text) == [("lines", False), ("{{ extract.base }}", True)]


def test_every_import_cte_of_a_base_model_is_not_materialized():
    found = {}
    for path in sorted((REPO / "models").rglob("*.sql")):
        for name, not_materialized in _import_ctes(path.read_text(encoding="utf-8")):
            found[f"{path.relative_to(REPO)}:{name}"] = not_materialized
    # The ten staging models over a base model, and the two audit models with a CTE
    # per extract (the quarantine and the files).
    assert len(found) == 12, sorted(found)
    assert [cte for cte, ok in found.items() if not ok] == []


def test_cx_add_source_writes_its_import_cte_not_materialized(tmp_path):
    from cx.add_source import NewSource, staging_model
    from cx.source_sample import read_sample

    sample = tmp_path / "chats.csv"
    sample.write_text("chat_id,updated_at\n1,2025-01-01T10:00:00Z\n", encoding="utf-8")
    source = NewSource(
        "chat", "chats", "chat_id", "updated_at", read_sample(sample, "chat_id", None)
    )
    assert _import_ctes(staging_model(source)) == [("chats", True)]
