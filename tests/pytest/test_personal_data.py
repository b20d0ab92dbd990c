"""Personal data: every column named like personal data is tagged in its YAML, with a
kind the project knows (python/cx/personal_data.py states the naming rule), and the
published email hash is keyed with a salt kept outside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cx.personal_data import (
    KINDS,
    email_hash,
    email_hash_salt,
    kind_by_name,
    normalised_email,
    publishes_personal_data,
)

REPO = Path(__file__).resolve().parents[2]
# Every folder dbt parses YAML properties from (dbt_project.yml's *-paths).
YAML_FOLDERS = ("models", "seeds", "snapshots", "macros", "tests")


def documented_columns(root: Path = REPO) -> list[tuple[str, str, dict]]:
    """(file:node, column, column properties) of every column documented in the
    project's YAML: models, seeds, snapshots and sources' tables."""
    found = []
    for folder in YAML_FOLDERS:
        for path in sorted((root / folder).rglob("*.yml")):
            if "pytest" in path.parts:
                continue
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            nodes = [
                node for key in ("models", "seeds", "snapshots") for node in document.get(key) or []
            ]
            for source in document.get("sources") or []:
                nodes += source.get("tables") or []
            for node in nodes:
                for column in node.get("columns") or []:
                    where = f"{path.relative_to(root)}:{node['name']}"
                    found.append((where, column["name"], column))
    return found


def pii_tag(column: dict) -> object:
    """The column's ``pii`` tag, under ``meta`` or ``config: {meta: ...}``."""
    meta = column.get("meta") or (column.get("config") or {}).get("meta") or {}
    return meta.get("pii")


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("email", "email"),
        ("recipient_email", "email"),
        ("email_local", "email"),
        ("phone_raw", "phone"),
        ("first_name", "name"),
        ("last_name", "name"),
        ("name", "name"),
        ("agent_name", "name"),
        ("reviewer_name", "name"),  # a new person's name is caught by default
        ("billing_address", "address"),
        ("comment", "free_text"),
        ("comment_text", "free_text"),
        ("satisfaction_comment", "free_text"),
        ("subject", "free_text"),
        ("body", "free_text"),
        ("sentence_text", "free_text"),
        # Things, not persons, and numbers about text, not text.
        ("survey_name", None),
        ("_file_name", None),
        ("extract_name", None),
        ("column_name", None),
        ("channel", None),
        ("staff_public_comments", None),
        ("verbatims", None),
        ("comment_sentiment", None),
        ("comment_themes", None),
        ("customer_id", None),
        ("email_hash", None),  # a keyed hash: a pseudonym, not the address
    ],
)
def test_the_naming_rule(column: str, kind: str | None) -> None:
    assert kind_by_name(column) == kind


def test_the_yaml_is_read_whole() -> None:
    # The walk must reach the sources, staging, intermediate and marts YAML, or the
    # rule below would pass on nothing.
    columns = documented_columns()
    places = {where.split("/")[1] for where, _, _ in columns if where.startswith("models/")}
    assert {"staging", "intermediate", "marts"} <= places
    assert any(name == "email" and "_sources.yml" in where for where, name, _ in columns)
    assert len(columns) > 300


def test_every_column_named_like_personal_data_is_tagged() -> None:
    untagged = [
        f"{where}.{name} (named like {kind_by_name(name)})"
        for where, name, column in documented_columns()
        if kind_by_name(name) and pii_tag(column) is None
    ]
    assert untagged == [], "tag these columns `meta: {pii: <kind>}`:\n" + "\n".join(untagged)


def test_every_tag_is_a_known_kind() -> None:
    unknown = [
        f"{where}.{name}: {pii_tag(column)!r}"
        for where, name, column in documented_columns()
        if pii_tag(column) is not None and pii_tag(column) not in KINDS
    ]
    assert unknown == []


def test_an_untagged_personal_column_is_found(tmp_path: Path) -> None:
    # The check fails on a new source column named like personal data and left untagged.
    folder = tmp_path / "models" / "staging" / "chat"
    folder.mkdir(parents=True)
    (folder / "_chat__sources.yml").write_text(
        "version: 2\nsources:\n  - name: chat\n    tables:\n      - name: conversations\n"
        "        columns:\n          - name: visitor_email\n          - name: channel_name\n"
        "            meta: {pii: name}\n          - name: transcript_text\n"
        "            config: {meta: {pii: free_text}}\n",
        encoding="utf-8",
    )
    columns = documented_columns(tmp_path)
    assert [(name, pii_tag(column)) for _, name, column in columns] == [
        ("visitor_email", None),
        ("channel_name", "name"),
        ("transcript_text", "free_text"),
    ]


def test_the_email_hash_is_keyed_and_normalised() -> None:
    salt = b"0123456789abcdef0123"
    assert normalised_email("  Ann.Lee@Example.COM ") == "ann.lee@example.com"
    assert normalised_email("   ") is None
    # Same person, however the address was typed; another salt, another hash.
    assert email_hash(" Ann.Lee@Example.COM", salt) == email_hash("ann.lee@example.com", salt)
    assert email_hash("ann.lee@example.com", salt) != email_hash("ann.lee@example.com", salt[::-1])
    # HMAC-SHA-256 as RFC 2104 defines it, through the standard library: 64 hex digits.
    import hashlib
    import hmac

    expected = hmac.new(salt, b"ann.lee@example.com", hashlib.sha256).hexdigest()
    assert email_hash("ann.lee@example.com", salt) == expected
    assert len(expected) == 64
    assert email_hash("ann.lee@example.com", None) is None
    assert email_hash(None, salt) is None


def test_the_salt_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CX_EMAIL_HASH_SALT_FILE", raising=False)
    missing = email_hash_salt(REPO)
    assert missing.value is None and "CX_EMAIL_HASH_SALT_FILE is not set" in missing.status

    salt_file = tmp_path / "salt"
    salt_file.write_text("f" * 64 + "\n", encoding="utf-8")
    monkeypatch.setenv("CX_EMAIL_HASH_SALT_FILE", str(salt_file))
    assert email_hash_salt(REPO).value == b"f" * 64  # the line break is not part of it

    salt_file.write_text("short", encoding="utf-8")
    with pytest.raises(ValueError, match="holds 5 bytes"):
        email_hash_salt(REPO)
    monkeypatch.setenv("CX_EMAIL_HASH_SALT_FILE", str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match="cannot be read"):
        email_hash_salt(REPO)
    monkeypatch.setenv("CX_EMAIL_HASH_SALT_FILE", str(REPO / "README.md"))
    with pytest.raises(ValueError, match="inside the repository"):
        email_hash_salt(REPO)


def test_publishing_personal_data_is_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CX_PUBLISH_PII", raising=False)
    assert publishes_personal_data() is False
    monkeypatch.setenv("CX_PUBLISH_PII", "0")
    assert publishes_personal_data() is False
    monkeypatch.setenv("CX_PUBLISH_PII", "1")
    assert publishes_personal_data() is True
    monkeypatch.setenv("CX_PUBLISH_PII", "yes")
    with pytest.raises(ValueError, match="CX_PUBLISH_PII must be 1"):
        publishes_personal_data()


def test_the_build_computes_the_email_hash_with_the_salt(tmp_path, monkeypatch):
    """The function dbt's connection gets from the project's plugin (dim_customers calls it)."""
    import duckdb

    from cx.dbt_plugin import Plugin

    salt_file = tmp_path / "salt"
    salt_file.write_text("0123456789abcdef0123456789abcdef\n", encoding="utf-8")
    monkeypatch.setenv("CX_EMAIL_HASH_SALT_FILE", str(salt_file))
    with duckdb.connect() as con:
        Plugin.__new__(Plugin).configure_connection(con)
        hashed = con.sql(
            "select cx_email_hash(' Ann.Lee@Example.com'), cx_email_hash(null)"
        ).fetchall()[0]
    assert hashed == (email_hash("ann.lee@example.com", b"0123456789abcdef0123456789abcdef"), None)

    monkeypatch.delenv("CX_EMAIL_HASH_SALT_FILE")
    with duckdb.connect() as con:
        Plugin.__new__(Plugin).configure_connection(con)
        assert con.sql("select cx_email_hash('ann.lee@example.com')").fetchall() == [(None,)]
