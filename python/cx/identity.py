"""Probabilistic identity links: help-desk users the contract's rules could not join.

A Fellegi-Sunter model in Splink (DuckDB backend) compares each unlinked
help-desk user with the live CRM contacts on first name, last name, normalised
phone and the email's local part (a person with a work and a personal address
often keeps the part before the ``@``). Only pairs that share a phone or an
email local part are compared (blocking), which keeps the work proportional to
the candidates, not to contacts x users.

The m probabilities are documented priors (how often a true match agrees on
each field). The u probabilities (how often two unrelated records agree) are
computed exactly from the value counts, sum over values of
count_contacts(v) * count_candidates(v) / (n_contacts * n_candidates): random
sampling almost never sees an agreement on a near-unique field such as a phone,
and would leave those u values at a default that makes them count for little.
A user is linked to its best contact when the match probability reaches the
threshold and no other contact comes within reach of it; a contact that would
collect more than ``max_links_per_customer`` users (a switchboard number, a
shared mailbox) gets none of them.
"""

from __future__ import annotations

import logging

import duckdb
import pyarrow as pa

MATCH_THRESHOLD = 0.9
MAX_LINKS_PER_CUSTOMER = 5
FIELDS = ("first_name", "last_name", "phone", "email_local")
M_PRIORS = {"first_name": 0.95, "last_name": 0.95, "phone": 0.85, "email_local": 0.6}
MIN_U = 1e-7
"""The smallest u used: a field no two unrelated records share still is not proof."""

LINK_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("customer_id", pa.string()),
        ("match_probability", pa.float64()),
        ("match_weight", pa.float64()),
    ]
)


def _records(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """Comparable columns: lower case, accents stripped. (Role mailboxes, info@ and the
    like, arrive blanked: int_identity_match_records leaves their local part out.)"""
    con.register(f"{name}_input", table)
    con.sql(
        f"""
        create table {name} as
        select
            record_id as unique_id,
            nullif(strip_accents(lower(trim(first_name))), '') as first_name,
            nullif(strip_accents(lower(trim(last_name))), '') as last_name,
            nullif(phone, '') as phone,
            nullif(lower(trim(email_local)), '') as email_local
        from {name}_input
        """
    )


def _exact_u(con: duckdb.DuckDBPyConnection, field: str) -> float:
    """P(an unrelated contact and candidate agree on ``field``), both values present."""
    value = con.sql(
        f"""
        with left_counts as (
            select {field} as value, count(*) as n from contacts where {field} is not null
            group by 1
        ),
        right_counts as (
            select {field} as value, count(*) as n from candidates where {field} is not null
            group by 1
        )
        select
            coalesce(sum(left_counts.n * right_counts.n), 0)::double
            / nullif((select sum(n) from left_counts) * (select sum(n) from right_counts), 0)
        from left_counts
        inner join right_counts using (value)
        """
    ).fetchall()[0][0]
    return min(max(value or 0.0, MIN_U), 1 - MIN_U)


def probabilistic_links(
    contacts: pa.Table,
    candidates: pa.Table,
    threshold: float = MATCH_THRESHOLD,
    max_links_per_customer: int = MAX_LINKS_PER_CUSTOMER,
) -> pa.Table:
    """Link ``candidates`` (record_id, first_name, last_name, phone, email_local) to
    ``contacts`` (the same columns, record_id being the customer id)."""
    if contacts.num_rows == 0 or candidates.num_rows == 0:
        return LINK_SCHEMA.empty_table()

    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    logging.getLogger("splink").setLevel(logging.WARNING)
    with duckdb.connect() as con:
        _records(con, "contacts", contacts)
        _records(con, "candidates", candidates)
        comparisons = []
        for field in FIELDS:
            m, u = M_PRIORS[field], _exact_u(con, field)
            comparisons.append(
                cl.ExactMatch(field).configure(
                    m_probabilities=[m, 1 - m], u_probabilities=[u, 1 - u]
                )
            )
        settings = SettingsCreator(
            link_type="link_only",
            # About one true match per candidate among all the contacts.
            probability_two_random_records_match=1 / max(contacts.num_rows, 2),
            blocking_rules_to_generate_predictions=[block_on("phone"), block_on("email_local")],
            comparisons=comparisons,
            retain_matching_columns=False,
            retain_intermediate_calculation_columns=False,
        )
        db = DuckDBAPI(con)
        linker = Linker(
            [
                db.register("contacts", table_name="contact_records"),
                db.register("candidates", table_name="candidate_records"),
            ],
            settings,
            log_level="WARNING",
        )
        predictions = linker.inference.predict(threshold_match_probability=threshold / 10)
        con.register("pairs", predictions.as_duckdbpyrelation().to_arrow_table())
        # Which side is which: Splink names each pair's sources.
        links = con.sql(
            f"""
            with oriented as (
                select
                    case when source_dataset_l = 'contact_records' then unique_id_r
                         else unique_id_l end as record_id,
                    case when source_dataset_l = 'contact_records' then unique_id_l
                         else unique_id_r end as customer_id,
                    match_probability,
                    match_weight
                from pairs
            ),
            ranked as (
                select
                    *,
                    row_number() over (
                        partition by record_id order by match_weight desc, customer_id
                    ) as rank,
                    lead(match_probability) over (
                        partition by record_id order by match_weight desc, customer_id
                    ) as runner_up_probability
                from oriented
            ),
            confident as (
                select record_id, customer_id, match_probability, match_weight
                from ranked
                where rank = 1
                  and match_probability >= {threshold}
                  and coalesce(runner_up_probability, 0) < {threshold}
            )
            select record_id, customer_id, match_probability, match_weight
            from confident
            qualify count(*) over (partition by customer_id) <= {max_links_per_customer}
            order by record_id
            """
        ).to_arrow_table()
    return links.cast(LINK_SCHEMA)
