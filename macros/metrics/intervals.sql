{#-
    Intervals for the rates and shares BI users read (DECISIONLOG.md,
    "Intervals on small samples").

    z_95(): the two-sided 95% normal quantile.
    wilson_low / wilson_high(successes, trials): the Wilson score 95% interval
    of a proportion. It never has zero width, stays inside [0, 1] and holds its
    coverage on small samples, where the Wald interval collapses to a point at
    0 or n successes. Null when trials is 0.
    rate_columns(name, successes, trials): `<name>`, `<name>_n`,
    `<name>_ci_low`, `<name>_ci_high` and `<name>_is_small_sample`
    (trials under the `min_sample_size` var), the shape every published rate
    takes.
    is_small_sample(trials): the flag alone, for rows that carry one n.
-#}
{% macro z_95() -%}
    1.959963984540054
{%- endmacro %}

{% macro _wilson_bound(successes, trials, sign) -%}
    {%- set n = '(' ~ trials ~ ')::double' -%}
    {%- set p = '(' ~ successes ~ ')::double / nullif(' ~ trials ~ ', 0)' -%}
    {%- set z = z_95() | trim -%}
    (
        ({{ p }} + {{ z }} * {{ z }} / (2 * {{ n }}))
        {{ sign }} {{ z }} * sqrt(
            {{ p }} * (1 - {{ p }}) / {{ n }} + {{ z }} * {{ z }} / (4 * {{ n }} * {{ n }})
        )
    ) / (1 + {{ z }} * {{ z }} / {{ n }})
{%- endmacro %}

{#- greatest/least skip nulls in DuckDB, so the empty case is spelled out. -#}
{#- At 0 successes the lower bound is exactly 0, at n successes the upper bound is
    exactly 1; the formula gets there only up to rounding (1 - 1e-16), which would put
    the bound on the wrong side of the rate itself. -#}
{% macro wilson_low(successes, trials) -%}
    case
        when ({{ trials }}) > 0 and ({{ successes }}) = 0 then 0.0
        when ({{ trials }}) > 0 then greatest({{ _wilson_bound(successes, trials, '-') }}, 0.0)
    end
{%- endmacro %}

{% macro wilson_high(successes, trials) -%}
    case
        when ({{ trials }}) > 0 and ({{ successes }}) = ({{ trials }}) then 1.0
        when ({{ trials }}) > 0 then least({{ _wilson_bound(successes, trials, '+') }}, 1.0)
    end
{%- endmacro %}

{% macro is_small_sample(trials) -%}
    coalesce(({{ trials }}) < {{ var('min_sample_size') }}, true)
{%- endmacro %}

{% macro rate_columns(name, successes, trials) -%}
    {{ safe_ratio(successes, trials) }} as {{ name }},
    ({{ trials }})::bigint as {{ name }}_n,
    {{ wilson_low(successes, trials) }} as {{ name }}_ci_low,
    {{ wilson_high(successes, trials) }} as {{ name }}_ci_high,
    {{ is_small_sample(trials) }} as {{ name }}_is_small_sample
{%- endmacro %}
