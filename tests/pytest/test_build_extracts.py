"""Whole builds on other extract sets: a folder name full of SQL and glob characters,
a 1 MB verbatim, header-only extracts, Parquet extracts."""

from __future__ import annotations

import duckdb
import pytest

from conftest import TINY, Build, copy_extracts, dbt_build
from cx import paths
from cx.contract import EXTRACTS
from cx.gate import run_gate
from cx.publish import publish
from test_build import TINY_COUNTS, extract_counts

pytestmark = pytest.mark.build

MARTS = {
    "dim_customers", "fct_touchpoints", "fct_customer_journeys", "mart_journey_funnel",
    "mart_journey_paths", "fct_support_tickets", "mart_support_monthly", "fct_survey_responses",
    "mart_nps_monthly", "mart_csat_ces_monthly", "mart_survey_exclusions", "mart_nps_drivers",
    "mart_nps_driver_summary", "fct_customer_value", "mart_cohort_retention",
    "mart_clv_model_fit", "mart_channel_mix", "mart_channel_transitions",
    "fct_customer_churn", "mart_churn_drivers", "mart_experience_value",
    "dim_agents", "mart_agent_performance", "mart_team_performance", "mart_stage_experience",
    "mart_theme_sentiment", "fct_reviews", "mart_reviews_monthly",
}  # fmt: skip


def test_a_folder_with_a_quote_in_its_name_builds_and_publishes(tmp_path):
    # A quote breaks SQL pasted together; brackets, stars and question marks are glob
    # patterns to DuckDB's readers. (A `?` in the build database's own path is read by
    # dbt-duckdb as the start of URL parameters, so it goes in the extracts folder only.)
    workdir = tmp_path / "it's [here] *"
    extracts = copy_extracts(TINY, workdir / "extracts?")

    # What reads paths: the load, the row counts and a mart published from that folder
    # (with the list of personal columns, without which nothing is published).
    build = dbt_build(
        workdir, extracts, "--select", "+extract_row_counts", "+fct_survey_responses",
        "personal_data_columns", "--indirect-selection", "buildable",
    )  # fmt: skip

    assert build.returncode == 0, build.output
    assert extract_counts(build) == TINY_COUNTS
    # The build database in that folder publishes too (its path is attached in SQL).
    publication = publish(build.database, workdir / "bi.duckdb", workdir / "bi_parquet")
    # R_aaaaaaaaaaaaaaa is the one valid response (R_bbbbbbbbbbbbbbb is not a real one).
    assert publication.marts["fct_survey_responses"] == 1


def test_a_one_megabyte_verbatim_builds_scored_on_its_prefix_themed_in_whole(tmp_path):
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    responses = extracts / "survey" / "responses.csv"
    # 1 MB of complaint about waiting, then, only past the scored prefix, the price.
    comment = "Waited too long on hold, never again. " * 27_600 + "And far too expensive."
    line = (
        "R_fffffffffffffff,SV_NPS1,IP Address,,C001,email,2025-04-02T10:00:00Z,"
        f'2025-04-02T10:05:00Z,2025-04-02T10:06:00Z,1,100,3,,,"{comment}",,,en\n'
    )
    with responses.open("a", encoding="utf-8") as handle:
        handle.write(line)

    build = dbt_build(
        tmp_path, extracts, "--select", "+fct_survey_responses",
        "--indirect-selection", "buildable",
    )  # fmt: skip

    assert build.returncode == 0, build.output
    # 38 characters a sentence: the 52nd full stop within 2,000 ends at 52 * 38 - 1 = 1,975.
    assert build.query(
        "select length(comment_text), comment_sentiment_label, comment_sentiment_scored_chars,"
        " is_comment_sentiment_on_prefix, comment_themes from marts.fct_survey_responses"
        " where response_id = 'R_fffffffffffffff'"
    ) == [(27_600 * 38 + 22, "negative", 1_975, True, ["price", "wait_time"])]
    # wait_time from the complaint; price only from "expensive", 1 MB past the prefix.
    # A short verbatim is scored whole.
    assert build.query(
        "select comment_sentiment_scored_chars = length(comment_text),"
        " is_comment_sentiment_on_prefix from marts.fct_survey_responses"
        " where response_id = 'R_aaaaaaaaaaaaaaa'"
    ) == [(True, False)]


def test_header_only_extracts_build_empty_tables(tmp_path):
    extracts = tmp_path / "extracts"
    for extract in EXTRACTS:
        path = extracts / extract.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(",".join(extract.columns) + "\n", encoding="utf-8")

    build = dbt_build(tmp_path, extracts)

    assert build.returncode == 0, build.output
    assert build.query("select sum(rows_read), sum(rows_staged) from audit.extract_row_counts") == [
        (0, 0)
    ]
    assert build.query("select count(*) from staging.stg_crm__contacts") == [(0,)]
    names = [name for (name,) in build.query(paths.MARTS_SQL)]
    marts = {name: build.query(f"select count(*) from marts.{name}")[0][0] for name in names}
    assert set(marts) == MARTS
    # Rows that exist without data: one per stage, one per model parameter (unfitted),
    # one per driver x exposure x NPS survey type (4 x 2 x 2, zero responses), one per
    # churn driver (6, no customers) and one per experience group (16, no customers).
    # Monthly marts have no month to show.
    nonempty = {name: rows for name, rows in marts.items() if rows}
    assert nonempty == {
        "mart_journey_funnel": 5,
        "mart_clv_model_fit": 9,
        "mart_nps_driver_summary": 16,
        "mart_churn_drivers": 6,
        "mart_experience_value": 16,
    }
    assert build.query(
        "select sum(customers), count(relative_risk),"
        " bool_and(relative_risk_status = 'no_exposed_customers') from marts.mart_churn_drivers"
    ) == [(0, 0, True)]
    assert build.query(
        "select sum(customers), count(revenue_per_customer_365d_usd), count(retention_90d)"
        " from marts.mart_experience_value"
    ) == [(0, 0, 0)]
    assert build.query(
        "select sum(responses), count(nps), bool_and(is_small_sample)"
        " from marts.mart_nps_driver_summary"
    ) == [(0, 0, True)]
    assert build.query(
        "select count(value), bool_and(status like 'not fitted: 0 customers%')"
        " from marts.mart_clv_model_fit"
    ) == [(0, True)]
    # Empty marts pass every check that holds for zero rows, and publish.
    gate = run_gate(build.database, tmp_path / "gx")
    assert gate.success, gate.format()
    publication = publish(build.database, tmp_path / "bi.duckdb", tmp_path / "bi_parquet")
    assert publication.marts == marts


def test_delta_folders_of_csv_and_parquet_files_build_like_single_files(
    tmp_path, tiny_build: Build
):
    """Each extract as a folder of two delta files, one CSV and one Parquet, holding its
    lines between them: the same lines staged, quarantined and counted, each file listed."""
    extracts = tmp_path / "extracts"
    with duckdb.connect() as con:
        for extract in EXTRACTS:
            folder = extracts / extract.system / extract.table
            folder.mkdir(parents=True)
            # Split by key: the lines of one key stay in one file, since an order or a
            # user line in a later file would win over the earlier one (the contract).
            key = extract.columns[0]
            lines = f"read_csv('{TINY / extract.relpath}', header = true, all_varchar = true)"
            for half, name in ((0, "2025-01-01.csv"), (1, "2025-01-02.parquet")):
                con.sql(
                    f"copy (select * from {lines} where hash({key}) % 2 = {half})"
                    f" to '{folder / name}'"
                )

    build = dbt_build(tmp_path, extracts)

    assert build.returncode == 0, build.output
    counts = "select * from audit.extract_row_counts order by extract_name"
    assert build.query(counts) == tiny_build.query(counts)
    contacts = "select * from staging.stg_crm__contacts order by contact_id"
    assert build.query(contacts) == tiny_build.query(contacts)
    quarantined = "select * exclude (file_name) from audit.quarantined_rows order by all"
    assert build.query(quarantined) == tiny_build.query(quarantined)
    assert build.query(
        "select extract_name, count(*), count(*) filter (where is_delta_file),"
        " sum(lines_read)::bigint from audit.extract_files group by all order by 1"
    ) == [
        (name, 2, 2, rows_read)
        for name, rows_read in build.query(
            "select extract_name, rows_read from audit.extract_row_counts order by 1"
        )
    ]


def test_parquet_extracts_build_like_csv(tmp_path, tiny_build: Build):
    extracts = tmp_path / "extracts"
    with duckdb.connect() as con:
        for extract in EXTRACTS:
            (extracts / extract.system).mkdir(parents=True, exist_ok=True)
            con.sql(
                f"copy (select * from read_csv('{TINY / extract.relpath}', header = true,"
                f" all_varchar = true)) to '{extracts / extract.system / extract.table}.parquet'"
            )

    build = dbt_build(tmp_path, extracts)

    assert build.returncode == 0, build.output
    counts = "select * from audit.extract_row_counts order by extract_name"
    assert build.query(counts) == tiny_build.query(counts)
    contacts = "select * from staging.stg_crm__contacts order by contact_id"
    assert build.query(contacts) == tiny_build.query(contacts)


def test_a_ticket_and_an_order_changed_in_a_later_delta_file_take_their_new_state(
    tmp_path, tiny_build: Build
):
    """Tickets: the latest `updated_at` wins. Orders and users: the latest file wins. Both
    earlier lines are superseded, not quarantined as conflicting."""
    extracts = copy_extracts(TINY, tmp_path / "extracts")
    changed = {
        # Ticket 501 was new; a day later it is solved (updated_at moves on).
        ("support", "tickets"): "501,1001,,2025-02-04T10:00:00Z,2025-02-05T09:00:00Z,solved,"
        ",chat,Hi,,unoffered,",
        # Order O3 was completed; the next day's file holds it refunded.
        ("crm", "orders"): "O3,C999,2025-02-04T10:00:00Z,store,refunded,GBP,15,"
        "2025-02-06T10:00:00Z",
    }
    for (system, table), line in changed.items():
        snapshot = extracts / system / f"{table}.csv"
        header = snapshot.read_text(encoding="utf-8").splitlines()[0]
        folder = extracts / system / table
        folder.mkdir()
        snapshot.rename(folder / "2025-01-01.csv")
        (folder / "2025-02-05.csv").write_text(f"{header}\n{line}\n", encoding="utf-8")

    build = dbt_build(tmp_path, extracts)

    assert build.returncode == 0, build.output
    assert build.query(
        "select status, updated_at::varchar from staging.stg_support__tickets where ticket_id = 501"
    ) == [("solved", "2025-02-05 09:00:00")]
    assert build.query("select status from staging.stg_crm__orders where order_id = 'O3'") == [
        ("refunded",)
    ]
    # One more line read and one more superseded in each, against the same lines as files.
    counts = (
        "select extract_name, rows_read, rows_staged, rows_superseded, rows_quarantined"
        " from audit.extract_row_counts"
        " where extract_name in ('crm/orders', 'support/tickets') order by 1"
    )
    assert build.query(counts) == [
        (name, read + 1, staged, superseded + 1, quarantined)
        for name, read, staged, superseded, quarantined in tiny_build.query(counts)
    ]
    assert build.query(
        "select count(*) from audit.quarantined_rows"
        " where row_key in ('501', 'O3') and reason = 'conflicting_duplicate'"
    ) == [(0,)]
