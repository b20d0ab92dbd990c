"""``cx add-source``: a new extract wired into the warehouse from a sample file.

What README "Adding a new source" lists, written from the sample (``cx.source_sample``):
the contract entry (``docs/contract/raw-extracts.md`` and ``python/cx/contract.py``),
the dbt source with every column, the header-only seed of the committed sample and
its text column types, the base model (each column parsed with the project's macros,
the choice written beside it), the staging model (one line per key, the latest
``--timestamp`` winning among a key's lines), the audit registration
(``staged_extracts()``), the models' YAML (keys and not-null tests), and a line in
the hand-made tiny extracts with one defect and its expected quarantine row.

Everything is checked before anything is written: a refusal leaves the project as
it was. New files are written whole; existing files get text inserted at one
place each, and each edit is read back (YAML parsed, Python compiled) before it is
kept.
"""

from __future__ import annotations

import ast
import functools
import textwrap
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from cx.personal_data import kind_by_name
from cx.source_sample import NAME_PATTERN, Column, Sample, SampleRefused, read_sample

# A column's parse macro, and the check macro that says why a value was not parsed.
PARSE = {
    "text": "raw_text",
    "email": "normalise_email",
    "integer": "parse_integer",
    "decimal": "parse_decimal",
    "boolean": "parse_boolean",
    "timestamp": "parse_timestamp_utc",
}
CHECK = {
    "integer": "check_integer",
    "decimal": "check_decimal",
    "boolean": "check_boolean",
    "timestamp": "check_timestamp",
}
CONTRACT_TYPE = {
    "text": "string",
    "email": "string",
    "integer": "integer",
    "decimal": "decimal",
    "boolean": "boolean",
    "timestamp": "timestamp",
}
# A value each rule parses, for the tiny test extract, and one it quarantines (with the reason).
GOOD = {
    "integer": "{n}",
    "decimal": "{n}.50",
    "boolean": "true",
    "timestamp": "2025-01-0{n}T10:00:00Z",
    "email": "person{n}@example.com",
    "text": "{column} {n}",
}
BAD = {
    "integer": ("1.5", "not_an_integer"),
    "decimal": ("1e3", "not_a_decimal"),
    "boolean": ("maybe", "not_a_boolean"),
    "timestamp": ("not a timestamp", "unparseable_timestamp"),
}
STAGING_FILE_COLUMNS = ("_defects", "_raw_row", "_file_name")


class SourceExists(SampleRefused):
    """The table is a contract extract already."""


@dataclass(frozen=True)
class NewSource:
    system: str
    table: str
    key: str
    timestamp: str | None
    sample: Sample

    @property
    def name(self) -> str:
        return f"{self.system}/{self.table}"

    @property
    def base(self) -> str:
        return f"base_{self.system}__{self.table}"

    @property
    def staged(self) -> str:
        return f"stg_{self.system}__{self.table}"


def add_source(
    project: Path, system: str, table: str, sample_path: Path, key: str, timestamp: str | None
) -> tuple[NewSource, list[Path]]:
    """Write the new extract ``system/table`` into the project at ``project``; the source and
    the files written or changed, in order. ``SampleRefused`` (nothing written) when it
    cannot."""
    for part, value in (("system", system), ("table", table)):
        if not NAME_PATTERN.fullmatch(value):
            raise SampleRefused(
                f"The {part} {value!r} is not a lower-case name (letters, digits, _)."
            )
    _refuse_existing(project, system, table)
    source = NewSource(system, table, key, timestamp, read_sample(sample_path, key, timestamp))
    staging = project / "models" / "staging" / system
    new_files = {
        staging / "base" / f"{source.base}.sql": base_model(source),
        staging / f"{source.staged}.sql": staging_model(source),
        project / "seeds" / system / f"{table}.csv": _header_line(source),
        project / "tests" / "pytest" / "extracts" / "tiny" / system / f"{table}.csv": (
            tiny_extract(source)[0]
        ),
    }
    for path in new_files:
        if path.exists():
            raise SourceExists(f"{path} exists already: {source.name} would overwrite it.")
    edits = {
        staging / f"_{system}__sources.yml": _appended_yaml(
            staging / f"_{system}__sources.yml", source_yaml(source), "sources"
        ),
        staging / f"_{system}__models.yml": _appended_yaml(
            staging / f"_{system}__models.yml", models_yaml(source), "models"
        ),
        project / "seeds" / "_raw__seeds.yml": _appended_yaml(
            project / "seeds" / "_raw__seeds.yml", seed_yaml(source), "seeds"
        ),
        project / "docs" / "contract" / "raw-extracts.md": _contract_document(project, source),
        project / "python" / "cx" / "contract.py": _contract_module(project, source),
        project / "macros" / "staging" / "staged_extracts.sql": _staged_extracts(project, source),
        project / "dbt_project.yml": _dbt_project(project, source),
        project / "tests" / "pytest" / "extracts" / "tiny" / "README.md": _tiny_readme(
            project, source
        ),
    }
    written = []
    for path, text in {**new_files, **edits}.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return source, written


def _refuse_existing(project: Path, system: str, table: str) -> None:
    """A table of any system is ``raw.<table>`` and the seed ``<table>``: the name is taken
    when any contract source has it, or a seed or model of the project (dbt names them in one
    namespace)."""
    for path in sorted((project / "models" / "staging").glob("*/_*__sources.yml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for source in yaml.safe_load("\n".join(lines))["sources"]:
            for entry in source.get("tables", []):
                if entry["name"] != table:
                    continue
                # A table's entry, not a column's (the columns are indented further).
                line = next(
                    (n for n, text in enumerate(lines, 1) if text == f"      - name: {table}"),
                    None,
                )
                where = f"{path}" + (f", line {line}" if line else "")
                raise SourceExists(
                    f"Extract {source['name']}/{table} exists already ({where}): a table is"
                    f" raw.{table} and the seed {table} whatever its system; choose another"
                    " table name."
                )
    for folder, suffixes in (("seeds", (".csv",)), ("models", (".sql", ".py"))):
        for path in sorted((project / folder).rglob(f"{table}.*")):
            if path.suffix in suffixes:
                raise SourceExists(
                    f"{path} exists already: the new extract's seed would be named {table} too;"
                    " choose another table name."
                )


def _header_line(source: NewSource) -> str:
    return ",".join(column.name for column in source.sample.columns) + "\n"


def _defect_column(source: NewSource) -> Column | None:
    """The column the tiny extract's bad line breaks: the first typed column but the key."""
    return next((c for c in source.sample.columns if c.kind in BAD and c.name != source.key), None)


def tiny_extract(source: NewSource) -> tuple[str, tuple[str | None, str, str]]:
    """Three made-up lines (no line of the sample: it is customer data): two usable, and
    one with a defect; and that line's expected quarantine row (row key, column, reason)."""
    rows = []
    for n in (1, 2, 3):
        rows.append(
            [
                GOOD[c.kind].format(n=n, column=c.name.replace("_", " "))
                for c in source.sample.columns
            ]
        )
    broken = _defect_column(source)
    key_position = source.sample.column(source.key).position - 1
    if broken is None:
        rows[2][key_position] = ""
        expected: tuple[str | None, str, str] = (None, source.key, "missing_value")
    else:
        value, reason = BAD[broken.kind]
        rows[2][broken.position - 1] = value
        expected = (rows[2][key_position], broken.name, reason)
    text = _header_line(source) + "".join(
        ",".join(_csv_value(v) for v in row) + "\n" for row in rows
    )
    return text, expected


def _csv_value(value: str) -> str:
    return f'"{value}"' if "," in value else value


def _quoted(name: str) -> str:
    """``name`` as an output column: quoted when DuckDB reserves it as a keyword."""
    return f'"{name}"' if name in _reserved_words() else name


def _keyword_noqa(name: str) -> str:
    """sqlfluff (rule RF04) flags a column named like an SQL keyword (``language``); the
    sample's name is kept, so the line says it knows (rename it in the base model if the
    name may change)."""
    return "  -- noqa: RF04" if name.upper() in _sqlfluff_keywords() else ""


@functools.cache
def _sqlfluff_keywords() -> frozenset[str]:
    from sqlfluff.core.dialects import dialect_selector

    dialect = dialect_selector("duckdb")
    return frozenset(dialect.sets("unreserved_keywords") | dialect.sets("reserved_keywords"))


@functools.cache
def _reserved_words() -> frozenset[str]:
    with duckdb.connect() as con:
        rows = con.sql(
            "select keyword_name from duckdb_keywords() where keyword_category = 'reserved'"
        ).fetchall()
    return frozenset(row[0] for row in rows)


def base_model(source: NewSource) -> str:
    sample = source.sample
    parsed = []
    checks = [f"check_required('{source.key}')"]
    if source.timestamp and source.timestamp != source.key:
        checks.append(f"check_required('{source.timestamp}')")
    for column in sample.columns:
        role = " (the key)" if column.name == source.key else ""
        if column.name == source.key and sample.key_missing:
            role = (
                f" (the key; missing on {sample.key_missing} of {sample.lines} sample lines,"
                " which would be quarantined as missing_value)"
            )
        if column.name == source.timestamp:
            role = " (the latest wins among a key's lines)"
        parsed.extend(
            textwrap.wrap(
                f"{column.name}{role}: {column.why}",
                width=100,
                initial_indent="        -- ",
                subsequent_indent="        --     ",
            )
        )
        parsed.append(
            f"        {{{{ {PARSE[column.kind]}('{column.name}') }}}} as {_quoted(column.name)},"
            + _keyword_noqa(column.name)
        )
        if column.kind in CHECK:
            checks.append(f"{CHECK[column.kind]}('{column.name}')")
    check_lines = "\n".join(
        f"            {check}{',' if n < len(checks) - 1 else ''}" for n, check in enumerate(checks)
    )
    return f"""{{#-
    Every line of the extract {source.name}, typed, with its defects. No line is
    dropped here. Written by `cx add-source` from a sample of {sample.lines} lines: each
    column's rule and why it was chosen is written above it; review them (a
    text column may want normalise_enum, normalise_code or a check_accepted, a
    number a range: macros/staging/checks.sql).
-#}}
with

source as (
    select * from {{{{ raw_source('{source.system}', '{source.table}') }}}}
),

checked as (
    select
{chr(10).join(parsed)}
        {{{{ row_defects([
{check_lines}
        ]) }}}} as _defects,
        source._file_name,
        {{{{ raw_line() }}}} as _line
    from source
),

final as (
    select
        * exclude (_line),
        to_json(_line) as _raw_row
    from checked
)

select * from final
"""


def staging_model(source: NewSource) -> str:
    names = [c.name for c in source.sample.columns]
    columns = "\n".join(
        f"        {_quoted(name)}{',' if n < len(names) - 1 else ''}{_keyword_noqa(name)}"
        for n, name in enumerate(names)
    )
    rule = (
        f"the line with the latest `{source.timestamp}` wins; "
        if source.timestamp
        else "the key is unique; "
    )
    described = textwrap.fill(
        f"{{#- One row per {source.key} of {source.name}: {rule}lines no rule orders are staged"
        " once when identical and quarantined when they differ (kept_lines). -#}",
        width=100,
        subsequent_indent="    ",
    )
    lines = source.table
    if lines in ("usable", "final") or lines in _reserved_words():
        lines = f"{source.table}_lines"
    return f"""{described}
with

{lines} as not materialized (
    select * from {{{{ ref('{source.base}') }}}}
),

usable as (
    {{{{ kept_lines('{lines}', '{source.name}') }}}}
),

final as (
    select
{columns}
    from usable
)

select * from final
"""


def _described(column: Column, source: NewSource) -> str:
    """What the sample says about a column, as its description."""
    kind = {
        "text": "Text, trimmed",
        "email": "Email, trimmed and lower case (normalise_email)",
        "integer": "Integer",
        "decimal": "Decimal, at most two decimal places",
        "boolean": "`true` or `false`",
        "timestamp": "ISO-8601 timestamp with a UTC offset, in UTC",
    }[column.kind]
    role = ""
    if column.name == source.key:
        role = "The key of the extract. "
    elif column.name == source.timestamp:
        role = "Among the lines of one key, the latest value wins. "
    filled = f"filled in {column.filled} of {column.lines} sample lines"
    return f"{role}{kind}; {filled}."


def _personal_data_tag(column: str, indent: str) -> str:
    """`meta: {pii: <kind>}` for a column named like personal data (the project's naming
    rule, cx.personal_data), which the engineer reviews; nothing otherwise."""
    kind = kind_by_name(column)
    return f"{indent}meta: {{pii: {kind}}}  # by its name: review\n" if kind else ""


def source_yaml(source: NewSource) -> str:
    columns = "".join(
        f"          - name: {c.name}\n"
        f"            description: {_yaml_text(_described(c, source))}\n"
        + _personal_data_tag(c.name, "            ")
        for c in source.sample.columns
    )
    return f"""      - name: {source.table}
        description: >
          One line per export line of {source.name}.csv ({source.key} is the key).
        columns:
{columns}"""


def _yaml_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def models_yaml(source: NewSource) -> str:
    base_columns = "".join(
        f"      - name: {c.name}\n        description: {_yaml_text(_described(c, source))}\n"
        + _personal_data_tag(c.name, "        ")
        for c in source.sample.columns
    )
    docs = {
        "_defects": "row_defects",
        "_raw_row": "raw_row",
        "_file_name": "extract_file_name",
        "_file_size_bytes": "extract_file_size_bytes",
        "_file_hash": "extract_file_hash",
        "_loaded_at": "extract_file_loaded_at",
        "_line_number": "extract_line_number",
    }
    file_columns = "".join(
        f"      - name: {name}\n        description: '{{{{ doc(\"{block}\") }}}}'\n"
        for name, block in docs.items()
    )
    staged_columns = []
    for c in source.sample.columns:
        tests = ""
        if c.name == source.key:
            tests = "        data_tests: [unique, not_null]\n"
        elif c.name == source.timestamp:
            tests = "        data_tests: [not_null]\n"
        staged_columns.append(
            f"      - name: {c.name}\n        description: {_yaml_text(_described(c, source))}\n"
            + _personal_data_tag(c.name, "        ")
            + tests
        )
    return f"""
  - name: {source.base}
    description: '{{{{ doc("base_model") }}}}'
    columns:
{base_columns}{file_columns}
  - name: {source.staged}
    description: >
      One row per {source.key} of {source.name}. {{{{ doc("kept_line_rule") }}}}
    columns:
{"".join(staged_columns)}"""


def seed_yaml(source: NewSource) -> str:
    types = "".join(f"        {c.name}: varchar\n" for c in source.sample.columns)
    return f"""  - name: {source.table}
    description: >
      The committed sample of `{source.name}.csv`, loaded as text into
      `raw.{source.table}`; columns are documented on source `{source.system}.{source.table}`.
      Header only until the generator (python/cx/generator.py) writes its lines.
    config:
      column_types:
{types}"""


def _appended_yaml(path: Path, block: str, list_key: str) -> str:
    """``path``'s text with ``block`` appended to its last list (``sources``' tables for a
    sources file), or a new file; parsed back to be sure the block landed there."""
    if not path.exists():
        header = {
            "sources": None,
            "models": "version: 2\n\nmodels:",
            "seeds": "version: 2\n\nseeds:",
        }[list_key]
        if header is None:
            system = path.parent.name
            header = (
                f"version: 2\n\nsources:\n  - name: {system}\n    description: >\n"
                f"      The {system} system's exports, loaded into schema `raw` as text,"
                " exactly as exported;\n      see docs/contract/raw-extracts.md.\n"
                "    schema: raw\n    meta:\n      contract: raw-extracts\n    tables:"
            )
        text = header + "\n" + block.lstrip("\n")
    else:
        text = path.read_text(encoding="utf-8").rstrip("\n") + "\n" + block
    parsed = yaml.safe_load(text)
    entries = parsed[list_key][-1]["tables"] if list_key == "sources" else parsed[list_key]
    names = [entry["name"] for entry in entries]
    for entry in _dedent(block):
        if entry["name"] not in names:
            raise SampleRefused(f"{path}: could not append {entry['name']} to its last list.")
    return text


def _dedent(block: str) -> list[dict]:
    lines = [line for line in block.splitlines() if line.strip()]
    indent = min(len(line) - len(line.lstrip(" ")) for line in lines)
    return yaml.safe_load("\n".join(line[indent:] for line in lines))


def _contract_document(project: Path, source: NewSource) -> str:
    path = project / "docs" / "contract" / "raw-extracts.md"
    text = path.read_text(encoding="utf-8")
    rows = []
    for c in source.sample.columns:
        kind = CONTRACT_TYPE[c.kind] + (", nullable" if c.is_nullable else "")
        notes = {source.key: "the key, unique"}.get(c.name, "")
        if c.name == source.timestamp:
            notes = (
                "a key re-exported: the line with the latest value wins (latest lines that"
                " differ: none wins, see Keys above)"
            )
        rows.append(f"| {c.name} | {kind} | {notes} |")
    section = (
        f"## {source.name}.csv — one row per {source.key}\n"
        "| column | type | notes |\n|---|---|---|\n" + "\n".join(rows) + "\n\n"
    )
    anchor = "## Lookup seeds"
    if anchor not in text:
        raise SampleRefused(f"{path}: no '{anchor}' section to add the extract before.")
    return text.replace(anchor, section + anchor, 1)


def _contract_module(project: Path, source: NewSource) -> str:
    path = project / "python" / "cx" / "contract.py"
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    assignment = next(
        node
        for node in tree.body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "EXTRACTS"
    )
    lines = text.splitlines(keepends=True)
    closing = assignment.end_lineno - 1  # the line of the tuple's closing parenthesis
    columns = "".join(f'            "{c.name}",\n' for c in source.sample.columns)
    moment = f'        moment="{source.timestamp}",\n' if source.timestamp else ""
    entry = (
        f'    Extract(\n        "{source.system}",\n        "{source.table}",\n        (\n'
        f'{columns}        ),\n        "{source.key}",\n{moment}    ),\n'
    )
    new_text = "".join([*lines[:closing], entry, *lines[closing:]])
    compile(new_text, str(path), "exec")
    return new_text


def _staged_extracts(project: Path, source: NewSource) -> str:
    path = project / "macros" / "staging" / "staged_extracts.sql"
    text = path.read_text(encoding="utf-8")
    anchor = "    ]) }}\n{% endmacro %}"
    if text.count(anchor) != 1:
        raise SampleRefused(f"{path}: the list of staged_extracts() does not end as expected.")
    recency = f"'{source.timestamp}'" if source.timestamp else "none"
    person_keys = ", ".join(f"'{column}': '{kind}'" for column, kind in _person_keys(source))
    entry = (
        f"        {{'extract': '{source.name}', 'base': '{source.base}',\n"
        f"         'staged': '{source.staged}', 'key': '{source.key}', 'recency': {recency},\n"
        f"         're_exported': {'true' if source.timestamp else 'false'},\n"
        f"         'person_keys': {{{person_keys}}}, 'identifies': []}},\n"
    )
    return text.replace(anchor, entry + anchor)


# The kinds of key a suppression list follows a person by (macros/loading/suppression.sql),
# which a column named exactly so holds.
PERSON_KEY_COLUMNS = ("contact_id", "user_id", "order_id", "ticket_id", "anonymous_id")


def _person_keys(source: NewSource) -> list[tuple[str, str]]:
    """The columns by which an erasure drops a line of the new extract: those named like an
    email (the personal-data naming rule) and those named like a key of a person
    (``contact_id``, ...). The engineer reviews them with the rest (README, step 8)."""
    keys = []
    for column in source.sample.columns:
        if kind_by_name(column.name) == "email":
            keys.append((column.name, "email"))
        elif column.name in PERSON_KEY_COLUMNS:
            keys.append((column.name, column.name))
    return keys


def _dbt_project(project: Path, source: NewSource) -> str:
    """A new system's base models are materialized `extract_lines`, and their unit tests
    run in sample mode only, as every system's."""
    path = project / "dbt_project.yml"
    text = path.read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    models = config["models"]["cx"]["staging"]
    if source.system in models:
        return text
    lines = text.splitlines(keepends=True)
    for section, block in (
        (
            "models:",
            f"      {source.system}:\n        base:\n          +materialized: extract_lines\n",
        ),
        (
            "unit_tests:",
            f"      {source.system}:\n        base:\n"
            "          +enabled: \"{{ env_var('CX_EXTRACTS_DIR', '') == '' }}\"\n",
        ),
    ):
        start = lines.index(section + "\n")
        staging = next(n for n in range(start, len(lines)) if lines[n] == "    staging:\n")
        end = staging + 1
        while end < len(lines) and (
            lines[end].startswith("      ") or lines[end].lstrip().startswith("#")
        ):
            end += 1
        while lines[end - 1].lstrip().startswith("#"):
            end -= 1
        lines[end:end] = [block]
    new_text = "".join(lines)
    parsed = yaml.safe_load(new_text)
    base = parsed["models"]["cx"]["staging"][source.system]["base"]
    if (
        base.get("+materialized") != "extract_lines"
        or source.system not in (parsed["unit_tests"]["cx"]["staging"])
    ):
        raise SampleRefused(f"{path}: could not add the system {source.system}.")
    return new_text


def _tiny_readme(project: Path, source: NewSource) -> str:
    path = project / "tests" / "pytest" / "extracts" / "tiny" / "README.md"
    text = path.read_text(encoding="utf-8")
    key, column, reason = tiny_extract(source)[1]
    row = (
        f"| {source.name} | {key if key is not None else '(null)'} | {column} | {reason} |"
        f" made by `cx add-source` |\n"
    )
    lines = text.splitlines(keepends=True)
    table_rows = [n for n, line in enumerate(lines) if line.startswith("| ")]
    if not table_rows:
        raise SampleRefused(f"{path}: no quarantine table to add the expected row to.")
    lines.insert(table_rows[-1] + 1, row)
    return "".join(lines)


def next_steps(source: NewSource) -> str:
    key, column, reason = tiny_extract(source)[1]
    return "\n".join(
        [
            f"Added {source.name}. Left by hand (README, 'Adding a new source'):",
            f"  - review the rule of each column in the base model {source.base}.sql;",
            "  - describe the extract and its columns in docs/contract/raw-extracts.md and the"
            " sources YAML;",
            f"  - teach python/cx/generator.py to write {source.name}.csv, then `make sample`;",
            f"  - add ({source.name!r}, {key!r}, {column!r}, {reason!r}) to the expected"
            " quarantine of tests/pytest/test_build.py;",
            "  - touchpoints, identity and marts, if the extract feeds them.",
        ]
    )
