{#- How many days of experience (tickets, ratings, survey answers) the churn
    marts look at before a date: the `_90d` columns of fct_customer_churn and
    the exposure window of mart_churn_drivers (DECISIONLOG.md, "Churn status
    and its drivers"). A constant, not a var: the column names say 90. -#}
{% macro churn_experience_days() -%}
    90
{%- endmacro %}
