"""`cx add-source`: a new extract from a sample file, written into a copy of the project.

Nothing here writes into the repository: every test copies the project's dbt files
(and the contract module) to a folder of its own and points the command there.
"""

from __future__ import annotations

import hashlib
import runpy
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import DBT, REPO, TINY, build_env
from cx.cli import main
from cx.erasure import record
from cx.source_sample import read_sample

# A chat tool's export, by hand: a multi-line quoted message, an empty email, a column
# named like an SQL keyword (`language`), and one of each type the project parses.
SAMPLE = (
    "conversation_id,contact_id,agent_email,started_at,updated_at,messages,is_resolved,amount,"
    "language,first_message\n"
    "CV1,C001,Ann@Example.com,2025-03-01T09:00:00Z,2025-03-01T09:30:00Z,4,true,10.50,en,"
    '"Hello, my order"\n'
    'CV2,C002,,2025-03-02T10:00:00+01:00,2025-03-02T11:00:00+01:00,2,false,0,de,"two\nlines"\n'
    "CV3,,bob@example.com,2025-03-03T08:00:00-05:00,2025-03-03T08:10:00-05:00,7,TRUE,3,fr,"
    '"said ""hi"""\n'
)
COLUMNS = SAMPLE.splitlines()[0].split(",")


def _copy_project(target: Path) -> Path:
    """The files `cx add-source` reads and writes, and what dbt needs to build them."""
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(REPO / name, target / name)
    for folder in ("models", "macros", "seeds", "docs/contract", "tests/generic", "tests/audit",
                   "tests/marts"):  # fmt: skip
        shutil.copytree(REPO / folder, target / folder)
    shutil.copytree(TINY, target / "tests" / "pytest" / "extracts" / "tiny")
    (target / "python" / "cx").mkdir(parents=True)
    shutil.copy(REPO / "python" / "cx" / "contract.py", target / "python" / "cx" / "contract.py")
    return target


def _fingerprint(project: Path) -> dict[str, str]:
    return {
        str(path.relative_to(project)): hashlib.sha1(path.read_bytes()).hexdigest()
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


def _sample(folder: Path, text: str = SAMPLE, name: str = "conversations.csv") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _add(project: Path, sample: Path, *args: str, table: str = "conversations") -> int:
    return main(
        ["add-source", "chat", table, "--sample", str(sample), "--project-dir", str(project),
         *args]
    )  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    target.mkdir()
    return _copy_project(target)


# --- what the sample says about each column ------------------------------------------


def test_each_column_gets_the_rule_its_values_pass_and_says_why(tmp_path: Path):
    sample = read_sample(_sample(tmp_path), "conversation_id", "updated_at")
    kinds = {column.name: column.kind for column in sample.columns}
    assert kinds == {
        "conversation_id": "text",
        "contact_id": "text",
        "agent_email": "email",
        "started_at": "timestamp",
        "updated_at": "timestamp",
        "messages": "integer",
        "is_resolved": "boolean",
        "amount": "decimal",
        "language": "text",
        "first_message": "text",
    }
    assert sample.lines == 3
    assert sample.column("started_at").why.startswith(
        "timestamp, inferred from 3/3 filled values (DuckDB read TIMESTAMP WITH TIME ZONE"
    )
    # contact_id and agent_email are empty on one line each: 2 of 3 filled, nullable.
    assert sample.column("contact_id").why.endswith("2/3 lines filled")
    assert sample.column("contact_id").is_nullable
    assert not sample.column("messages").is_nullable


def test_ambiguous_columns_stay_text_with_the_reason_in_counts(tmp_path: Path):
    text = (
        "id,mixed,empty,naive_at,price,big\n"
        "1,5,,2025-01-01 10:00:00,1.999,1_000\n"
        "2,x,,2025-01-02 10:00:00,2.50,7\n"
        "3,6,,2025-01-03 10:00:00,3,8\n"
    )
    sample = read_sample(_sample(tmp_path, text), "id", None)
    assert {column.name: column.kind for column in sample.columns} == {
        "id": "integer",
        "mixed": "text",
        "empty": "text",
        "naive_at": "text",
        "price": "text",
        "big": "text",
    }
    # 5 and 6 are integers, x is not: 2 of the 3 filled values.
    assert "mixed" in sample.column("mixed").why
    assert "2 of 3 filled values are integer" in sample.column("mixed").why
    assert "all 3 values empty" in sample.column("empty").why
    assert "without a UTC offset" in sample.column("naive_at").why
    # DuckDB reads 1.999 as a DOUBLE; the contract's decimal has two places: 2 of 3 pass.
    assert "only 2 of 3 filled values" in sample.column("price").why
    # DuckDB casts 1_000 to 1000; the contract's integer is plain digits: 7 and 8 pass.
    assert "2 of 3 filled values are integer" in sample.column("big").why


# --- refusals: exit 2, one line naming file, line and column, no customer data ---------


def _refusal(capsys: pytest.CaptureFixture[str], code: int) -> str:
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    return err


def test_refuses_a_table_that_exists_and_writes_nothing(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    before = _fingerprint(project)
    sample = _sample(tmp_path)
    code = main(
        ["add-source", "crm", "orders", "--sample", str(sample), "--key", "conversation_id",
         "--project-dir", str(project)]
    )  # fmt: skip
    message = _refusal(capsys, code)
    assert "crm/orders exists already" in message
    assert "_crm__sources.yml, line " in message
    # The same table name under another system is raw.orders too.
    message = _refusal(capsys, _add(project, sample, "--key", "conversation_id", table="orders"))
    assert "crm/orders exists already" in message
    # A lookup seed and a mart are names dbt holds too.
    message = _refusal(
        capsys, _add(project, sample, "--key", "conversation_id", table="agent_teams")
    )
    assert "seeds/lookups/agent_teams.csv exists already" in message
    message = _refusal(
        capsys, _add(project, sample, "--key", "conversation_id", table="dim_customers")
    )
    assert "models/marts/customers/dim_customers.sql exists already" in message
    assert _fingerprint(project) == before


def test_refuses_a_key_that_is_not_unique_naming_lines_not_the_value(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    before = _fingerprint(project)
    # CV2's record spans lines 3-4, so the repeated CV1 starts on line 6, not record 5.
    text = SAMPLE + "CV1,C009,,2025-03-05T09:00:00Z,2025-03-05T09:00:00Z,1,true,1,en,x\n"
    message = _refusal(capsys, _add(project, _sample(tmp_path, text), "--key", "conversation_id"))
    assert "the key conversation_id (column 1) is not unique: lines 2 and 6" in message
    assert "CV1" not in message
    assert _fingerprint(project) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SAMPLE.replace(",", ";"), "its delimiter is ';' where the contract's CSV dialect has ','"),
        (
            SAMPLE.split("\n", 1)[1],  # no header line: the first line is data
            "line 1, column 1 is not a column name",
        ),
        (
            SAMPLE.encode("utf-8").replace(b"Hello", b"H\xe9llo"),
            # the é of "Héllo", after 85 characters of line 2
            "is not valid UTF-8: line 2, column 86 holds byte 0xE9",
        ),
        (
            'conversation_id,first_message\nCV1,"Bonjour\nCV2,x\n',
            "the quoted value opened on line 2, column first_message is never closed",
        ),
        (
            'conversation_id,x\nCV1,a\\"b\nCV2,"c\\"d"\n',
            "the record starting on line 3 is not valid CSV",
        ),
    ],
    ids=["semicolon", "no-header", "latin-1", "unclosed-quote", "backslash-escape"],
)
def test_refuses_a_sample_not_in_the_contracts_csv_dialect(
    project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str | bytes,
    expected: str,
):
    before = _fingerprint(project)
    sample = _sample(tmp_path, text)
    message = _refusal(capsys, _add(project, sample, "--key", "conversation_id"))
    assert expected in message
    assert str(sample) in message
    for customer_data in ("Hello", "Bonjour", "Ann@", "C001"):
        assert customer_data not in message
    assert _fingerprint(project) == before


def test_refuses_parquet_a_missing_key_or_timestamp_column_and_a_timestamp_that_is_not_one(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    before = _fingerprint(project)
    sample = _sample(tmp_path)
    parquet = tmp_path / "conversations.parquet"
    duckdb.sql(f"copy (select * from read_csv('{sample}')) to '{parquet}'")
    message = _refusal(capsys, _add(project, parquet, "--key", "conversation_id"))
    assert "is not a .csv file" in message
    message = _refusal(capsys, _add(project, sample, "--key", "chat_id"))
    assert "the key column chat_id is not in the header line (line 1, 10 columns)" in message
    code = _add(project, sample, "--key", "conversation_id", "--timestamp", "closed_at")
    assert "the timestamp column closed_at is not in the header line" in _refusal(capsys, code)
    code = _add(project, sample, "--key", "conversation_id", "--timestamp", "messages")
    assert "the timestamp column messages (column 6) is not a timestamp" in _refusal(capsys, code)
    assert _fingerprint(project) == before


# --- what it writes ----------------------------------------------------------------


def test_writes_every_place_the_contract_lists_in_step(project: Path, tmp_path: Path):
    code = _add(project, _sample(tmp_path), "--key", "conversation_id", "--timestamp", "updated_at")
    assert code == 0
    contract = runpy.run_path(str(project / "python" / "cx" / "contract.py"))["EXTRACTS"]
    added = contract[-1]
    assert (added.system, added.table, added.key, added.moment) == (
        "chat", "conversations", "conversation_id", "updated_at",
    )  # fmt: skip
    assert list(added.columns) == COLUMNS
    staging = project / "models" / "staging" / "chat"
    sources = yaml.safe_load((staging / "_chat__sources.yml").read_text())["sources"][0]
    assert sources["meta"] == {"contract": "raw-extracts"}
    assert [c["name"] for c in sources["tables"][0]["columns"]] == COLUMNS
    seeds = yaml.safe_load((project / "seeds" / "_raw__seeds.yml").read_text())["seeds"]
    assert seeds[-1]["config"]["column_types"] == dict.fromkeys(COLUMNS, "varchar")
    # The committed sample holds no line of the sample (customer data): the header only,
    # as the generator writes an extract it has no lines for.
    assert (project / "seeds" / "chat" / "conversations.csv").read_text() == SAMPLE.splitlines(
        keepends=True
    )[0]
    models = yaml.safe_load((staging / "_chat__models.yml").read_text())["models"]
    staged = {c["name"]: c.get("data_tests") for c in models[1]["columns"]}
    assert staged["conversation_id"] == ["unique", "not_null"]
    assert staged["updated_at"] == ["not_null"]
    # Every column the base model's materialization adds is described (the line's file
    # and its line number in it): test_documentation fails on an undocumented column.
    assert [c["name"] for c in models[0]["columns"]][len(COLUMNS) :] == [
        "_defects", "_raw_row", "_file_name", "_file_size_bytes", "_file_hash", "_loaded_at",
        "_line_number",
    ]  # fmt: skip
    # Personal data tagged by the naming rule in the source, base and staging YAML: the
    # agent's email and the customer's first message (free text); ids are not.
    for columns in (sources["tables"][0]["columns"], models[0]["columns"], models[1]["columns"]):
        tagged = {c["name"]: c["meta"]["pii"] for c in columns if "meta" in c}
        assert tagged == {"agent_email": "email", "first_message": "free_text"}
    project_config = yaml.safe_load((project / "dbt_project.yml").read_text())
    assert project_config["models"]["cx"]["staging"]["chat"] == {
        "base": {"+materialized": "extract_lines"}
    }
    staged_extracts = (project / "macros/staging/staged_extracts.sql").read_text()
    assert "'recency': 'updated_at'" in staged_extracts
    # An erasure drops a line by the columns named like an email or a person's key.
    assert "'person_keys': {'contact_id': 'contact_id', 'agent_email': 'email'}" in staged_extracts
    assert "## chat/conversations.csv" in (project / "docs/contract/raw-extracts.md").read_text()
    base = (staging / "base" / "base_chat__conversations.sql").read_text()
    assert "{{ parse_timestamp_utc('started_at') }} as started_at," in base
    assert "-- started_at: timestamp, inferred from 3/3 filled values" in base
    assert "{{ normalise_email('agent_email') }} as agent_email," in base
    assert "check_decimal('amount')" in base
    assert "Ann" not in base and "C001" not in base
    # contact_id is empty on CV3's line, but the key (conversation_id) never is.
    assert "missing on" not in base
    tiny = project / "tests" / "pytest" / "extracts" / "tiny"
    assert (
        "| chat/conversations | conversation id 3 | started_at | unparseable_timestamp |"
        in (tiny / "README.md").read_text()
    )
    # A second run refuses: the table exists now.
    assert _add(project, _sample(tmp_path), "--key", "conversation_id") == 2


def test_a_key_missing_on_sample_lines_is_counted_beside_it(project: Path, tmp_path: Path):
    text = SAMPLE + ",C009,,2025-03-05T09:00:00Z,2025-03-05T09:00:00Z,1,true,1,en,x\n"
    assert _add(project, _sample(tmp_path, text), "--key", "conversation_id") == 0
    base = (project / "models/staging/chat/base/base_chat__conversations.sql").read_text()
    # 3 lines with a key and 1 without: 4 lines.
    assert "-- conversation_id (the key; missing on 1 of 4 sample lines, which would be" in base


# --- the result builds at once -------------------------------------------------------


def _dbt_build(
    project: Path, workdir: Path, extracts: Path | None, *select: str, **extra: str
) -> str:
    env = build_env(workdir, extracts, **extra)
    proc = subprocess.run(
        [str(DBT), "build", "--select", *select, "--indirect-selection", "buildable"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return env["CX_BUILD_DB"]


@pytest.mark.build
def test_the_new_extract_builds_stages_its_lines_and_quarantines_a_bad_one(
    project: Path, tmp_path: Path
):
    code = _add(project, _sample(tmp_path), "--key", "conversation_id", "--timestamp", "updated_at")
    assert code == 0
    # The extract as a folder of two delta files: the command's hand-made tiny lines, and
    # the sample with a line whose start is no timestamp and a later re-export of CV2.
    extracts = tmp_path / "extracts"
    shutil.copytree(project / "tests" / "pytest" / "extracts" / "tiny", extracts,
                    ignore=shutil.ignore_patterns("*.md"))  # fmt: skip
    folder = extracts / "chat" / "conversations"
    folder.mkdir()
    (extracts / "chat" / "conversations.csv").rename(folder / "2025-01-01.csv")
    (folder / "2025-03-01.csv").write_text(
        SAMPLE
        + "CV4,C004,,yesterday,2025-03-04T09:00:00Z,1,true,1,en,x\n"
        + "CV2,C002,,2025-03-02T10:00:00+01:00,2025-03-05T11:00:00+01:00,9,true,0,de,later\n"
        + "CV5,C005,Erased@Example.com,2025-03-06T09:00:00Z,2025-03-06T09:00:00Z,1,true,1,en,x\n",
        encoding="utf-8",
    )
    # A person erased by email: the new extract drops their line by the column the
    # command chose as one of its person keys (agent_email).
    suppression_list = tmp_path / "suppression_list.csv"
    assert record(suppression_list, "email", "erased@example.com")
    database = _dbt_build(
        project, tmp_path / "build", extracts,
        "+stg_chat__conversations", "+quarantined_rows", "+extract_row_counts",
        CX_SUPPRESSION_LIST=str(suppression_list),
    )  # fmt: skip
    with duckdb.connect(database, read_only=True) as con:
        staged = con.sql(
            "select conversation_id, messages, started_at::varchar, agent_email"
            " from staging.stg_chat__conversations order by all"
        ).fetchall()
        quarantined = con.sql(
            "select row_key, column_name, reason from audit.quarantined_rows"
            " where extract_name = 'chat/conversations' order by all"
        ).fetchall()
        counts = con.sql(
            "select rows_read, rows_staged, rows_quarantined, rows_superseded"
            " from audit.extract_row_counts where extract_name = 'chat/conversations'"
        ).fetchall()
        suppressed = con.sql(
            "select lines_suppressed from raw.suppressed_line_counts"
            " where extract_name = 'chat/conversations'"
        ).fetchall()
    # Tiny: ids 1 and 2 staged, 3 quarantined. Sample: CV1, CV3 and CV2's later line staged
    # (9 messages; its 10:00+01:00 start is 09:00 UTC), CV2's first line superseded, CV4
    # quarantined. Lines read: 3 + 3 + 2 = 8 = 5 staged + 2 quarantined + 1 superseded.
    assert staged == [
        ("CV1", 4, "2025-03-01 09:00:00", "ann@example.com"),
        ("CV2", 9, "2025-03-02 09:00:00", None),
        ("CV3", 7, "2025-03-03 13:00:00", "bob@example.com"),
        ("conversation id 1", 1, "2025-01-01 10:00:00", "person1@example.com"),
        ("conversation id 2", 2, "2025-01-02 10:00:00", "person2@example.com"),
    ]
    assert quarantined == [
        ("CV4", "started_at", "unparseable_timestamp"),
        ("conversation id 3", "started_at", "unparseable_timestamp"),
    ]
    assert counts == [(8, 5, 2, 1)]
    assert suppressed == [(1,)]  # CV5, never read: no trace of it above


@pytest.mark.build
def test_the_committed_sample_builds_with_the_new_header_only_seed(project: Path, tmp_path: Path):
    assert _add(project, _sample(tmp_path), "--key", "conversation_id") == 0
    database = _dbt_build(project, tmp_path / "build", None, "+stg_chat__conversations")
    with duckdb.connect(database, read_only=True) as con:
        assert con.sql("select count(*) from staging.stg_chat__conversations").fetchall() == [(0,)]


def test_an_extract_of_an_existing_system_joins_its_yaml_files(project: Path, tmp_path: Path):
    project_config = (project / "dbt_project.yml").read_text()
    sample = _sample(tmp_path, "refund_id,order_id,refunded_at\nRF1,O1,2025-02-05T10:00:00Z\n")
    assert main(
        ["add-source", "crm", "refunds", "--sample", str(sample), "--key", "refund_id",
         "--project-dir", str(project)]
    ) == 0  # fmt: skip
    staging = project / "models" / "staging" / "crm"
    sources = yaml.safe_load((staging / "_crm__sources.yml").read_text())["sources"]
    assert [table["name"] for table in sources[0]["tables"]] == [
        "contacts", "orders", "activities", "refunds",
    ]  # fmt: skip
    models = yaml.safe_load((staging / "_crm__models.yml").read_text())["models"]
    assert [model["name"] for model in models][-2:] == ["base_crm__refunds", "stg_crm__refunds"]
    # crm's base models are materialized extract_lines already.
    assert (project / "dbt_project.yml").read_text() == project_config
