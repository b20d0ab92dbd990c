{#-
    The relative risk of an outcome in an exposed group against an unexposed
    one, with its 95% interval by the log method (Katz et al. 1978):
    RR = (a / n1) / (c / n0), SE(ln RR) = sqrt(1/a - 1/n1 + 1/c - 1/n0),
    interval exp(ln RR -/+ z_95() * SE). a and c are the outcomes among n1
    exposed and n0 unexposed.

    No continuity correction: where the log method has no answer, the columns
    are null and `<name>_status` says why (DECISIONLOG.md, "Churn status and
    its drivers"):
    - `no_exposed_customers` / `no_unexposed_customers` (n1 or n0 is 0): no
      ratio, no interval;
    - `no_outcome_in_either_group` (a = c = 0): 0 / 0, no ratio;
    - `no_outcome_unexposed` (c = 0 < a): the ratio is infinite, null;
    - `no_outcome_exposed` (a = 0 < c): the ratio is 0, its interval null
      (ln 0);
    - `outcome_for_everyone` (a = n1, c = n0): the ratio is 1, its interval
      null (the log method's standard error is 0, which is no interval);
    - `ok`: the ratio and its interval.
    relative_risk_columns(name, a, n1, c, n0): `<name>`, `<name>_ci_low`,
    `<name>_ci_high`, `<name>_status`.
-#}
{% macro _relative_risk_status(a, n1, c, n0) -%}
    case
        when ({{ n1 }}) = 0 then 'no_exposed_customers'
        when ({{ n0 }}) = 0 then 'no_unexposed_customers'
        when ({{ a }}) = 0 and ({{ c }}) = 0 then 'no_outcome_in_either_group'
        when ({{ c }}) = 0 then 'no_outcome_unexposed'
        when ({{ a }}) = 0 then 'no_outcome_exposed'
        when ({{ a }}) = ({{ n1 }}) and ({{ c }}) = ({{ n0 }}) then 'outcome_for_everyone'
        else 'ok'
    end
{%- endmacro %}

{% macro _relative_risk_bound(a, n1, c, n0, sign) -%}
    exp(
        ln((({{ a }})::double / ({{ n1 }})) / (({{ c }})::double / ({{ n0 }})))
        {{ sign }} {{ z_95() }} * sqrt(
            1.0 / ({{ a }}) - 1.0 / ({{ n1 }}) + 1.0 / ({{ c }}) - 1.0 / ({{ n0 }})
        )
    )
{%- endmacro %}

{% macro relative_risk_columns(name, a, n1, c, n0) -%}
    {%- set status = _relative_risk_status(a, n1, c, n0) -%}
    case
        when {{ status }} in ('ok', 'no_outcome_exposed', 'outcome_for_everyone')
            then (({{ a }})::double / ({{ n1 }})) / (({{ c }})::double / ({{ n0 }}))
    end as {{ name }},
    case when {{ status }} = 'ok' then {{ _relative_risk_bound(a, n1, c, n0, '-') }} end
        as {{ name }}_ci_low,
    case when {{ status }} = 'ok' then {{ _relative_risk_bound(a, n1, c, n0, '+') }} end
        as {{ name }}_ci_high,
    {{ status }} as {{ name }}_status
{%- endmacro %}
