"""BG/NBD and Gamma-Gamma fitted once on the purchase summary (see cx.clv_pipeline)."""

from cx.clv_pipeline import fit_table


def model(dbt, session):
    dbt.config(materialized="table")
    summary = dbt.ref("int_customer_purchase_summary").to_arrow_table()
    return fit_table(summary)
