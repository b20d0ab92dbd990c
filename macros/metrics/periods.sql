{#-
    The months a monthly mart publishes, written once (DECISIONLOG.md,
    "Dense months and partial periods").

    observed_months(relation, occurred_at): a subquery with one row per
    calendar month (UTC) from the month of the earliest `occurred_at` in
    `relation` (a relation, or the name of the model's import CTE) to the
    month of the latest, each with `is_partial_period`: true
    when the month is not entirely inside the observed span [earliest, latest
    `occurred_at`], that is when it starts before the earliest record or ends
    (the next month's first instant) after the latest. The month of the latest
    record is therefore always partial: the data cannot show it is complete.
    No rows when `relation` has none.
-#}
{% macro observed_months(relation, occurred_at) -%}
    (
        select
            calendar.month_start::date as month,
            (
                calendar.month_start < observed.first_at
                or calendar.month_start + interval 1 month > observed.last_at
            ) as is_partial_period
        from (
            select
                min({{ occurred_at }}) as first_at,
                max({{ occurred_at }}) as last_at
            from {{ relation }}
        ) as observed
        cross join unnest(
            generate_series(
                date_trunc('month', observed.first_at),
                date_trunc('month', observed.last_at),
                interval 1 month
            )
        ) as calendar (month_start)
        where observed.first_at is not null
    )
{%- endmacro %}
