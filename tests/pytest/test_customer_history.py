"""A customer's answers keep the segment the customer had when answering.

The tiny extracts plus one customer, C900, who answers the relationship NPS survey
as `smb` in May 2025 (a promoter) and, after sales re-segments them to `enterprise`
on 1 June, again in June (a detractor). No other response of the tiny extracts is in
May or June, so each of those cells holds one answer: NPS = 100 * (promoters -
detractors) / responses, 100 * (1 - 0) / 1 = 100 for smb in May and
100 * (0 - 1) / 1 = -100 for enterprise in June; the other segment is empty (0
responses, null NPS) in each month.

- With a snapshot file (`crm/contacts.csv`, replaced whole), the re-segmentation
  arrives in a later delivery: only the dbt snapshot taken at the first build still
  knows the `smb` version, and the published mart must keep May in `smb`.
- With a delta folder (`crm/contacts/`), both versions arrive in two files of one
  delivery and the typed lines alone give the history.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, TINY, build_env, copy_extracts, dbt_build
from test_semantic_layer import _semantic_queries

pytestmark = pytest.mark.build

CX = Path(sys.executable).with_name("cx")
CUSTOMER = "C900"
SMB_SINCE = "2025-01-05T09:00:00Z"
ENTERPRISE_SINCE = "2025-06-01T09:00:00Z"
MAY_ANSWER = ("R_history00000may", "2025-05-10T10:00:00Z", "10")  # a promoter, as smb
JUNE_ANSWER = ("R_history0000june", "2025-06-15T10:00:00Z", "0")  # a detractor, as enterprise
NPS_CELLS = (
    "select month::varchar, segment, responses, promoters, detractors, nps"
    " from marts.mart_nps_monthly"
    " where survey_type = 'relationship_nps' and segment in ('smb', 'enterprise')"
    " and month >= date '2025-05-01' order by month, segment"
)
# (month, segment, responses, promoters, detractors, NPS): see the module docstring
EXPECTED_CELLS = [
    ("2025-05-01", "enterprise", 0, 0, 0, None),
    ("2025-05-01", "smb", 1, 1, 0, 100.0),
    ("2025-06-01", "enterprise", 1, 0, 1, -100.0),
    ("2025-06-01", "smb", 0, 0, 0, None),
]


def _contact(segment: str, updated_at: str) -> dict[str, str]:
    return {
        "contact_id": CUSTOMER, "email": "history@example.com", "first_name": "Hal",
        "last_name": "Story", "phone": "", "country": "GB", "segment": segment,
        "acquisition_channel": "referral", "lifecycle_stage": "customer",
        "created_at": "2025-01-05T09:00:00Z", "updated_at": updated_at, "is_deleted": "false",
    }  # fmt: skip


def _response(response_id: str, ended_at: str, score: str) -> dict[str, str]:
    return {
        "response_id": response_id, "survey_id": "SV_NPS1", "status": "IP Address",
        "recipient_email": "", "contact_ref": CUSTOMER, "distribution_channel": "email",
        "start_date": ended_at, "end_date": ended_at, "recorded_date": ended_at,
        "finished": "1", "progress": "100", "nps_score": score, "csat_score": "",
        "ces_score": "", "comment": "", "related_ticket_id": "", "related_order_id": "",
        "language": "en",
    }  # fmt: skip


def _append(path: Path, *rows: dict[str, str]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=header, lineterminator="\n").writerows(rows)


def _write(path: Path, header_from: Path, *rows: dict[str, str]) -> None:
    with header_from.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _cx_build(workdir: Path, extracts: Path, bi: Path, *args: str) -> None:
    env = build_env(workdir, extracts, CX_BI_DB=str(bi))
    # The hand-made extracts are dated 2025: stale by any clock but their own.
    proc = subprocess.run(
        [str(CX), "build", "--allow-stale", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.sql(sql).fetchall()


def _assert_nps_cells(database: Path) -> None:
    """The May and June cells are EXPECTED_CELLS, NPS within 1e-9."""
    cells = _query(database, NPS_CELLS)
    assert [cell[:5] for cell in cells] == [cell[:5] for cell in EXPECTED_CELLS]
    for cell, expected in zip(cells, EXPECTED_CELLS, strict=True):
        if expected[5] is None:
            assert cell[5] is None, cell
        else:
            assert cell[5] == pytest.approx(expected[5], abs=1e-9), cell


def _segments_of_answers(database: Path) -> list[tuple]:
    return _query(
        database,
        "select response_id, segment_at_response from marts.fct_survey_responses"
        f" where customer_id = '{CUSTOMER}' order by responded_at",
    )


def test_a_resegmented_customer_keeps_each_answer_in_its_segment_in_the_published_mart(
    tmp_path,
):
    """Snapshot file: build, re-segment the customer in the replaced file, build again
    (with --full-refresh, which must not drop the snapshot) and read the BI file."""
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    bi = tmp_path / "bi" / "bi.duckdb"
    contacts = extracts / "crm" / "contacts.csv"
    original_contacts = contacts.read_text(encoding="utf-8")
    _append(contacts, _contact("smb", SMB_SINCE))
    _append(extracts / "survey" / "responses.csv", _response(*MAY_ANSWER))
    _cx_build(tmp_path, extracts, bi)
    assert _segments_of_answers(tmp_path / "build.duckdb") == [(MAY_ANSWER[0], "smb")]

    # The next delivery replaces the file: the contact's line now says enterprise.
    contacts.write_text(original_contacts, encoding="utf-8")
    _append(contacts, _contact("enterprise", ENTERPRISE_SINCE))
    _append(extracts / "survey" / "responses.csv", _response(*JUNE_ANSWER))
    _cx_build(tmp_path, extracts, bi, "--full-refresh")

    build = tmp_path / "build.duckdb"
    # The extract no longer holds the smb version; only the snapshot does.
    assert _query(
        build,
        f"select segment from staging.stg_crm__contact_versions where contact_id = '{CUSTOMER}'",
    ) == [("enterprise",)]
    assert _query(
        build,
        "select segment, dbt_valid_to is null from snapshots.snapshot_crm__contacts"
        f" where contact_id = '{CUSTOMER}' order by dbt_valid_from",
    ) == [("smb", False), ("enterprise", True)]
    assert _segments_of_answers(build) == [(MAY_ANSWER[0], "smb"), (JUNE_ANSWER[0], "enterprise")]
    _assert_nps_cells(bi)
    # dim_customers stays current
    assert _query(
        bi, f"select segment from marts.dim_customers where customer_id = '{CUSTOMER}'"
    ) == [("enterprise",)]


def test_two_versions_in_one_delivery_of_a_delta_folder_each_keep_their_answers(tmp_path):
    """Delta folder: both versions arrive in two files of one build; the snapshot of
    that build knows only the latest, the typed lines give the earlier one."""
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    tiny_contacts = extracts / "crm" / "contacts.csv"
    folder = extracts / "crm" / "contacts"
    folder.mkdir()
    shutil.move(tiny_contacts, folder / "2025-01-01.csv")
    _append(folder / "2025-01-01.csv", _contact("smb", SMB_SINCE))
    _write(
        folder / "2025-06-01.csv",
        folder / "2025-01-01.csv",
        _contact("enterprise", ENTERPRISE_SINCE),
    )
    _append(extracts / "survey" / "responses.csv", _response(*MAY_ANSWER), _response(*JUNE_ANSWER))

    build = dbt_build(tmp_path, extracts)
    assert build.returncode == 0, build.output
    assert _query(
        build.database,
        f"select segment from snapshots.snapshot_crm__contacts where contact_id = '{CUSTOMER}'",
    ) == [("enterprise",)]
    assert _query(
        build.database,
        "select version_number, segment, valid_from::varchar, valid_to::varchar"
        f" from intermediate.int_customer_history where customer_id = '{CUSTOMER}'"
        " order by version_number",
    ) == [
        (1, "smb", "2025-01-05 09:00:00", "2025-06-01 09:00:00"),
        (2, "enterprise", "2025-06-01 09:00:00", None),
    ]
    assert _segments_of_answers(build.database) == [
        (MAY_ANSWER[0], "smb"),
        (JUNE_ANSWER[0], "enterprise"),
    ]
    _assert_nps_cells(build.database)

    # The semantic layer's NPS by segment reads the segment when answering, as the mart:
    # May 100 * (1 - 0) / 1 = 100 as smb, June 100 * (0 - 1) / 1 = -100 as enterprise.
    # The customer's current segment (customer__segment, from dim_customers) would put
    # the May promoter under enterprise.
    query, con = _semantic_queries(build)
    try:
        group_by = ["metric_time__month", "response__survey_type"]
        by_segment_then = query(
            ["nps_responses", "nps"], [*group_by, "response__segment_at_response"]
        )
        by_segment_now = query(["nps_responses"], [*group_by, "customer__segment"])
    finally:
        con.close()
    may, june = dt.date(2025, 5, 1), dt.date(2025, 6, 1)
    cells = {
        key: values
        for key, values in by_segment_then.items()
        if key[0] in (may, june) and key[1] == "relationship_nps" and values["nps_responses"]
    }
    assert sorted(cells) == [
        (may, "relationship_nps", "smb"),
        (june, "relationship_nps", "enterprise"),
    ]
    assert cells[may, "relationship_nps", "smb"]["nps_responses"] == 1
    assert cells[may, "relationship_nps", "smb"]["nps"] == pytest.approx(100.0, abs=1e-9)
    assert cells[june, "relationship_nps", "enterprise"]["nps_responses"] == 1
    assert cells[june, "relationship_nps", "enterprise"]["nps"] == pytest.approx(-100.0, abs=1e-9)
    assert by_segment_now[may, "relationship_nps", "enterprise"]["nps_responses"] == 1
