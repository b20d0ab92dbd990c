"""Splink links for help-desk users the rules missed (see cx.identity)."""

from cx.identity import probabilistic_links


def model(dbt, session):
    dbt.config(materialized="table")
    records = dbt.ref("int_identity_match_records")
    columns = "record_id, first_name, last_name, phone, email_local"
    contacts = records.filter("record_side = 'contact'").select(columns).to_arrow_table()
    users = records.filter("record_side = 'support_user'").select(columns).to_arrow_table()
    return probabilistic_links(contacts, users)
