"""Per-customer P(alive), expected purchases, order value and 12-month CLV."""

from cx.clv_pipeline import predictions_table


def model(dbt, session):
    dbt.config(materialized="table")
    summary = dbt.ref("int_customer_purchase_summary").to_arrow_table()
    fit = dbt.ref("int_clv_model_fit").to_arrow_table()
    return predictions_table(
        summary,
        fit,
        horizon_months=12,
        monthly_discount_rate=float(dbt.config.get("clv_monthly_discount_rate")),
    )
