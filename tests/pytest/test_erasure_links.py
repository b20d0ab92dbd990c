"""`cx erase` reaches what the person's own lines cannot lead a build to: a help-desk
user tied to them only by Splink's probabilistic match, an anonymous survey answer
whose comment gives their address, and the files earlier runs left in the warehouse
folder (the gate's Data Docs and validation results, killed publishes' leftovers).

The extracts are the hand-made tiny ones (tests/pytest/extracts/tiny/), with Ann Lee
(C001, ann.lee@example.com) given a second help-desk account that shares no email and
no CRM id with her contact, only her name, phone and the email's local part."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, TINY, build_env, copy_extracts
from cx.erasure import key_hash, read_entries
from test_erasure_build import _traces

pytestmark = pytest.mark.build

CX = Path(sys.executable).with_name("cx")

# Appended to the tiny extracts. User 1003 is Ann's second account: another address,
# no external id, so no rule links it; Splink does (name, phone, email local part).
# Ticket 503 is hers, 504 too (quarantined: status `escalated`); events 8 and 9 are
# on 503, event 8 written by her. Answer R_ggg... is about her ticket 503; R_hhh... is
# anonymous (no email, no contact) and its comment gives her address; R_iii... is
# anonymous and gives someone else's, and stays.
EXTRA_LINES = {
    # Other customers, so that agreeing on a name or a phone is evidence: Splink weighs
    # each field by how often unrelated records agree on it.
    "crm/contacts.csv": [
        f"C01{n},{first.lower()}@example.org,{first},{last},+44 20 7946 00{n}{n},GB,smb,"
        "email,lead,2025-01-20T10:00:00Z,2025-01-20T10:00:00Z,false"
        for n, (first, last) in enumerate(
            [("Gus", "Hale"), ("Ida", "Moss"), ("Jon", "Park"), ("Kit", "Reed"), ("Lou", "Shaw")]
        )
    ],
    "support/users.csv": [
        "1003,ann.lee@home.example,Ann Lee,+1 (555) 010-2233,end-user,,2025-02-10T10:00:00Z",
    ],
    "support/tickets.csv": [
        "503,1003,1,2025-02-11T10:00:00Z,2025-02-12T10:00:00Z,solved,normal,email,"
        "Parcel never came,,bad,Still waiting for parcel 77",
        "504,1003,1,2025-02-13T10:00:00Z,2025-02-13T10:00:00Z,escalated,,chat,Again,,unoffered,",
    ],
    "support/ticket_events.csv": [
        "8,503,1003,comment,true,,2025-02-11T10:00:00Z",
        "9,503,1,status_change,,solved,2025-02-12T10:00:00Z",
    ],
    "survey/responses.csv": [
        "R_ggggggggggggggg,SV_CSAT1,IP Address,,,email,2025-03-03T00:00:00Z,"
        "2025-03-03T00:01:00Z,2025-03-03T00:02:00Z,1,100,,1,,Slow,503,,en",
        "R_hhhhhhhhhhhhhhh,SV_NPS1,IP Address,,,anonymous,2025-03-04T00:00:00Z,"
        "2025-03-04T00:01:00Z,2025-03-04T00:02:00Z,1,100,3,,,"
        '"Call me back, I am ANN.LEE@Example.com.",,,en',
        "R_iiiiiiiiiiiiiii,SV_NPS1,IP Address,,,anonymous,2025-03-04T00:00:00Z,"
        "2025-03-04T00:01:00Z,2025-03-04T00:02:00Z,1,100,8,,,"
        '"Ask cy@example.com, she knows",,,en',
    ],
    # An anonymous review whose text gives her address, and one that gives another's.
    "reviews/reviews.csv": [
        'RV9,trustpilot,,,1,Still waiting,"Write to Ann.Lee@example.com, nobody does",en,'
        "2025-03-05T10:00:00Z,2025-03-05T10:00:00Z",
        'RV10,google,,,4,Fine,"Ask cy@example.com, she knows",en,'
        "2025-03-05T10:00:00Z,2025-03-05T10:00:00Z",
    ],
}

# Ann's traces as text: her addresses, ids, name, phone and the ids of her lines.
ANN = re.compile(
    r"(?i)(^|[^0-9a-z])(ann\.lee@example\.com|ann\.lee@home\.example|C001|5550102233"
    r"|R_aaaaaaaaaaaaaaa|R_fffffffffffffff|R_ggggggggggggggg|R_hhhhhhhhhhhhhhh|RV9"
    r"|parcel never came|parcel 77)([^0-9a-z]|$)|Ann[^0-9a-z]{1,40}Lee"
)
# Her integer ids, looked for in the columns named for them (test_erasure_build._traces).
ANN_INTEGER_IDS = {"user": {"1001", "1003"}, "ticket": {"500", "501", "502", "503", "504"}}
# What is looked for as raw text in files: her addresses and her words. Not her name
# or phone: dbt's target/ holds the project's own unit-test fixtures, among them a
# made-up "Ann Lee" with that phone (models/staging/support/base/).
ANN_TEXT = re.compile(
    rb"(?i)ann\.lee@example\.com|ann\.lee@home\.example|parcel never came|parcel 77"
)


def _extracts(folder: Path) -> Path:
    extracts = copy_extracts(TINY, folder)
    for name, lines in EXTRA_LINES.items():
        with (extracts / name).open("a", encoding="utf-8") as handle:
            handle.write("".join(f"{line}\n" for line in lines))
    return extracts


def _cx(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CX), *args], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )


def _files_with_text(folder: Path) -> list[str]:
    """Every file under ``folder`` whose bytes hold Ann's addresses, name or words, but
    the DuckDB and Parquet files (binary pages, searched decoded)."""
    return sorted(
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file()
        and not path.is_symlink()
        and path.suffix not in {".duckdb", ".parquet"}
        and ANN_TEXT.search(path.read_bytes())
    )


def _traces_everywhere(warehouse: Path) -> list[str]:
    found = []
    with duckdb.connect() as con:
        con.sql(f"attach '{warehouse / 'build.duckdb'}' as build (read_only)")
        con.sql(f"attach '{warehouse / 'bi' / 'bi.duckdb'}' as bi (read_only)")
        found += _traces(con, ANN, ANN_INTEGER_IDS)
        for path in sorted((warehouse / "bi").rglob("*.parquet")):
            rows = con.execute(
                "select t::varchar from read_parquet(?) as t", [str(path)]
            ).fetchall()
            if any(ANN.search(row.replace("'", " ")) for (row,) in rows):
                found.append(str(path.relative_to(warehouse)))
    return found


@pytest.fixture(scope="module")
def erased(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A published build of the extracts, what earlier runs may leave beside it, then
    `cx erase --email` of Ann."""
    root = tmp_path_factory.mktemp("erase-links")
    extracts = _extracts(root / "extracts")
    warehouse = root / "warehouse"
    env = build_env(warehouse, extracts, CX_BI_DB=str(warehouse / "bi" / "bi.duckdb"))
    built = _cx("build", "--allow-stale", env=env)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        links = con.sql(
            "select record_id, customer_id, link_rule from intermediate.int_identity_links"
            " where record_type = 'support_user' order by all"
        ).fetchall()
    before = _traces_everywhere(warehouse)
    # Earlier runs' files: the gate's stored result of a failed expectation, holding its
    # unexpected values (a copy of this build's own result, with them added), and a
    # publish killed half-way.
    results = warehouse / "gx" / "gx" / "uncommitted" / "validations" / "dim_customers"
    stored = json.loads(next(results.rglob("*.json")).read_text(encoding="utf-8"))
    stored["results"][0]["result"]["partial_unexpected_list"] = ["ann.lee@example.com"]
    earlier = results / "dim_customers" / "20250101T000000.000000Z"
    earlier.mkdir(parents=True)
    (earlier / "build_database-dim_customers.json").write_text(json.dumps(stored), encoding="utf-8")
    killed = warehouse / "bi" / "bi_parquet.20250101T000000000000.1"
    killed.mkdir()
    (killed / "dim_customers.csv").write_text("C001,ann.lee@example.com\n", encoding="utf-8")
    (warehouse / "bi" / ".bi.duckdb.20250101T000000000000.1.tmp").write_text(
        "ann.lee@example.com", encoding="utf-8"
    )
    files_before = _files_with_text(warehouse)
    proc = _cx("erase", "--email", " Ann.Lee@Example.com ", "--allow-stale", env=env)
    return {
        "proc": proc,
        "warehouse": warehouse,
        "links": links,
        "before": before,
        "files_before": files_before,
    }


def test_splink_alone_links_the_second_account_before_the_erasure(erased):
    # 1001 by its CRM id (a rule); 1003 only by Splink, sharing no email or CRM id.
    assert [(user, customer) for user, customer, _ in erased["links"]] == [
        ("1001", "C001"),
        ("1003", "C001"),
    ]
    rules = {user: rule for user, _, rule in erased["links"]}
    assert rules == {"1001": "support_external_id", "1003": "splink_name_phone_email"}
    # Without the erasure, Ann is everywhere: the test can fail.
    assert any(trace.startswith("staging.stg_support__users") for trace in erased["before"])
    assert any(trace.startswith("raw.responses") for trace in erased["before"])
    assert erased["files_before"] == [
        "bi/.bi.duckdb.20250101T000000000000.1.tmp",
        "bi/bi_parquet.20250101T000000000000.1/dim_customers.csv",
        "gx/gx/uncommitted/validations/dim_customers/dim_customers/"
        "20250101T000000.000000Z/build_database-dim_customers.json",
    ]


def test_the_erasure_passes_the_gate_and_publishes(erased):
    proc = erased["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Quality gate: passed" in proc.stdout
    assert "Help-desk users linked to the person in" in proc.stdout
    output = (proc.stdout + proc.stderr).lower()
    assert "ann.lee" not in output and "1003" not in output


def test_the_linked_accounts_are_in_the_list_as_links(erased):
    assert erased["proc"].returncode == 0
    entries = read_entries(erased["warehouse"] / "suppression_list.csv")
    assert sorted((entry.kind, entry.hash) for entry in entries) == sorted(
        [
            ("email", key_hash("email", "ann.lee@example.com")),
            ("linked_user_id", key_hash("linked_user_id", "1001")),
            ("linked_user_email", key_hash("linked_user_email", "ann.lee@example.com")),
            ("linked_user_id", key_hash("linked_user_id", "1003")),
            ("linked_user_email", key_hash("linked_user_email", "ann.lee@home.example")),
        ]
    )
    text = (erased["warehouse"] / "suppression_list.csv").read_text(encoding="utf-8")
    assert "ann" not in text.lower() and "1003" not in text


def test_no_trace_of_ann_in_any_table_or_parquet_file(erased):
    assert erased["proc"].returncode == 0
    assert _traces_everywhere(erased["warehouse"]) == []


def test_no_file_of_the_warehouse_folder_holds_ann_as_text(erased):
    # Data Docs, validation results, the run's target/ and logs/, the CX report,
    # publish leftovers: every file but the DuckDB and Parquet ones, as bytes.
    assert erased["proc"].returncode == 0
    warehouse = erased["warehouse"]
    assert (warehouse / "gx" / "gx" / "uncommitted" / "data_docs").is_dir()  # rebuilt
    assert (warehouse / "target" / "run_results.json").is_file()
    assert (warehouse / "logs" / "dbt.log").is_file()
    assert _files_with_text(warehouse) == []


def test_exactly_the_lines_of_ann_and_her_linked_account_are_dropped(erased):
    assert erased["proc"].returncode == 0
    with duckdb.connect(str(erased["warehouse"] / "build.duckdb"), read_only=True) as con:
        counts = dict(
            con.sql(
                "select extract_name, lines_suppressed from raw.suppressed_line_counts"
            ).fetchall()
        )
        answers = con.sql("select response_id from staging.stg_survey__responses").fetchall()
        users = con.sql("select user_id from staging.base_support__users").fetchall()
        reviews = con.sql("select review_id from staging.stg_reviews__reviews").fetchall()
    # By hand, tests/pytest/extracts/tiny/ and EXTRA_LINES: her 2 contact lines; users
    # 1001 (CRM id) and 1003 (the link); tickets 500, 501, 502 (1001) + 503, 504
    # (1003) = 5; events 1-7 (ticket 500) + 8, 9 (ticket 503) = 9; orders and
    # activities as when erased by contact id (7, 3); answers R_aaa (2 lines), R_fff
    # (her email), R_ddd, R_eee (ticket 500), R_ggg (ticket 503), R_hhh (her address
    # in the comment) = 7; review RV9 (her address in its text) = 1.
    assert counts == {
        "crm/contacts": 2,
        "crm/orders": 7,
        "crm/activities": 3,
        "support/users": 2,
        "support/tickets": 5,
        "support/ticket_events": 9,
        "survey/responses": 7,
        "survey/surveys": 0,
        "reviews/reviews": 1,
    }
    # The anonymous answer and review that give someone else's address stay.
    assert ("R_iiiiiiiiiiiiiii",) in answers
    assert ("RV10",) in reviews and ("RV9",) not in reviews
    assert {user for (user,) in users} == {1, None}  # the agent, and x1002 (not an integer)


def test_without_a_build_database_the_links_are_built_first(tmp_path):
    # No build database yet: `cx erase` builds the identity links from the extracts
    # before recording Ann, so her second account goes all the same.
    extracts = _extracts(tmp_path / "extracts")
    warehouse = tmp_path / "warehouse"
    env = build_env(warehouse, extracts, CX_BI_DB=str(warehouse / "bi" / "bi.duckdb"))
    proc = _cx("erase", "--customer-id", "C001", "--allow-stale", env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f"No identity links in {warehouse / 'build.duckdb'}: building them" in proc.stdout
    kinds = sorted(entry.kind for entry in read_entries(warehouse / "suppression_list.csv"))
    assert kinds == ["contact_id"] + ["linked_user_email"] * 2 + ["linked_user_id"] * 2
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        users = con.sql(
            "select lines_suppressed from raw.suppressed_line_counts"
            " where extract_name = 'support/users'"
        ).fetchall()
    assert users == [(2,)]  # 1001 (CRM id) and 1003 (the link)
    assert _traces_everywhere(warehouse) == []
