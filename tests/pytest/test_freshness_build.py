"""`cx build` measures each extract's age with dbt's source freshness: a stale extract
stops the publish and is named; `--allow-stale` publishes and says so in meta.publication."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, TINY, build_env, copy_extracts

pytestmark = pytest.mark.build

CX = Path(sys.executable).with_name("cx")
# The tiny extracts' latest usable lines: activities 2025-01-15 09:00, contacts 2025-02-01
# 12:00, users 2025-02-02 10:00, ticket events 2025-02-03 10:00, tickets 2025-02-04 10:00,
# orders 2025-02-06 10:00, reviews 2025-02-07 09:00 (RV2), responses 2025-04-01 02:06
# (UTC). As of 2025-04-02 00:00 only the responses (0.91 days old) are within their error
# age (14 days); users, 58.6 days old, and reviews, 53.6, are past theirs (30 days), the
# others past 7 or 14.
AS_OF = "2025-04-02T00:00:00Z"
STALE = (
    "crm/activities, crm/contacts, crm/orders, reviews/reviews, support/ticket_events,"
    " support/tickets, support/users"
)


def _cx_build(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CX), "build", *args], cwd=REPO, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


def test_a_stale_extract_stops_the_publish_unless_stale_data_is_allowed(tmp_path):
    bi = tmp_path / "bi" / "bi.duckdb"
    env = build_env(tmp_path, copy_extracts(TINY, tmp_path / "extracts"),
                    CX_BI_DB=str(bi), CX_AS_OF=AS_OF)  # fmt: skip

    stopped = _cx_build(env)

    output = stopped.stdout + stopped.stderr
    assert stopped.returncode == 1, output
    assert "Freshness (the latest usable line of each extract, as of 2025-04-02 00:00:00 UTC)" in (
        output
    )
    [responses] = [line for line in output.splitlines() if line.startswith("  survey/responses ")
                   and " d " in line]  # fmt: skip
    # 2025-04-02 00:00 - 2025-04-01 02:06 = 21 h 54 min = 0.9125 days.
    assert responses.split()[1:5] == ["2025-04-01", "02:06:00", "0.91", "d"]
    assert responses.endswith("pass")
    assert f"Stale extract(s), past their error age: {STALE}. Nothing was published" in output
    assert "Quality gate" not in output
    assert not bi.exists()

    allowed = _cx_build(env, "--allow-stale")

    output = allowed.stdout + allowed.stderr
    assert allowed.returncode == 0, output
    assert f"Publishing stale extract(s) as told (--allow-stale): {STALE}." in output
    with duckdb.connect(str(bi), read_only=True) as con:
        assert con.sql(
            "select is_stale_allowed, stale_extracts from meta.publication"
        ).fetchall() == [(True, STALE.split(", "))]
