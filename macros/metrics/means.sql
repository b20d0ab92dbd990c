{#-
    Means BI users read, with a 95% t interval (DECISIONLOG.md, "Intervals of
    means").

    t_975(df): the 0.975 quantile of Student's t with `df` degrees of freedom.
    DuckDB has no t quantile function: df 1..30 come from a table (scipy's
    values to 10 decimals), larger df from the Cornish-Fisher expansion of the
    normal quantile to the fourth order, within 3e-8 of the exact value for
    every df above 30 (tests/pytest/test_metric_intervals.py checks both
    against scipy). Null below 1 degree of freedom.
    mean_columns(name, value): aggregate columns `<name>` (the mean of the
    non-null values), `<name>_n` (how many), `<name>_ci_low`,
    `<name>_ci_high` (mean -/+ t_975(n - 1) * sd / sqrt(n), null when n < 2:
    one value has no spread to estimate) and `<name>_is_small_sample` (n under
    the `min_sample_size` var). The t interval assumes the mean is roughly
    normal; on skewed values (revenue) and small n it is approximate, which
    the small-sample flag says.
    mean_columns_from_sums(name, n, total, total_of_squares): the same
    columns from the count, sum and sum of squares of whole numbers (below).
-#}
{% macro t_975(df) -%}
    {%- set exact = [
        12.7062047362, 4.3026527297, 3.1824463053, 2.7764451052, 2.5705818356,
        2.4469118511, 2.3646242516, 2.3060041352, 2.2621571628, 2.2281388520,
        2.2009851601, 2.1788128297, 2.1603686565, 2.1447866879, 2.1314495456,
        2.1199052992, 2.1098155778, 2.1009220402, 2.0930240544, 2.0859634473,
        2.0796138447, 2.0738730679, 2.0686576104, 2.0638985616, 2.0595385528,
        2.0555294386, 2.0518305165, 2.0484071418, 2.0452296421, 2.0422724563,
    ] -%}
    {%- set z = '(' ~ (z_95() | trim) ~ ')::double' -%}
    {%- set v = '(' ~ df ~ ')::double' -%}
    case
        when ({{ df }}) < 1 then null
        when ({{ df }}) <= 30 then ([{{ exact | join(', ') }}]::double[])[({{ df }})::integer]
        else {{ z }}
            + (pow({{ z }}, 3) + {{ z }}) / (4 * {{ v }})
            + (5 * pow({{ z }}, 5) + 16 * pow({{ z }}, 3) + 3 * {{ z }}) / (96 * pow({{ v }}, 2))
            + (3 * pow({{ z }}, 7) + 19 * pow({{ z }}, 5) + 17 * pow({{ z }}, 3) - 15 * {{ z }})
            / (384 * pow({{ v }}, 3))
            + (
                79 * pow({{ z }}, 9) + 776 * pow({{ z }}, 7) + 1482 * pow({{ z }}, 5)
                - 1920 * pow({{ z }}, 3) - 945 * {{ z }}
            ) / (92160 * pow({{ v }}, 4))
    end
{%- endmacro %}

{% macro mean_columns(name, value) -%}
    {{ mean_interval_columns(
        name,
        'count(' ~ value ~ ')',
        'avg(' ~ value ~ ')',
        'stddev_samp(' ~ value ~ ')'
    ) }}
{%- endmacro %}


{#- The columns of mean_columns for `n` whole-number values known by their
    count `n`, their sum `total` and their sum of squares `total_of_squares`
    (integer expressions): for a mean over many values that are mostly zero,
    whose zeros need not be listed to be counted. The spread is exact up to
    one division: (n * total_of_squares - total^2) is computed in integers,
    then divided by n (n - 1). No mean (null) when n is 0. -#}
{% macro mean_columns_from_sums(name, n, total, total_of_squares) -%}
    {%- set count = '(' ~ n ~ ')' -%}
    {%- set sum = '(' ~ total ~ ')::hugeint' -%}
    {{ mean_interval_columns(
        name,
        count,
        '(' ~ sum ~ '::double / nullif(' ~ count ~ ', 0))',
        'sqrt((' ~ count ~ '::hugeint * (' ~ total_of_squares ~ ') - ' ~ sum ~ ' * ' ~ sum ~ ')'
            ~ ' / (' ~ count ~ '::double * (' ~ count ~ ' - 1)))'
    ) }}
{%- endmacro %}


{#- The five columns of a mean from SQL expressions of its count `n`, the mean and
    the sample standard deviation. -#}
{% macro mean_interval_columns(name, n, mean, sd) -%}
    {%- set half_width = t_975(n ~ ' - 1') ~ ' * ' ~ sd ~ ' / sqrt(' ~ n ~ ')' -%}
    {{ mean }}::double as {{ name }},
    {{ n }}::bigint as {{ name }}_n,
    case when {{ n }} >= 2 then {{ mean }} - {{ half_width }} end as {{ name }}_ci_low,
    case when {{ n }} >= 2 then {{ mean }} + {{ half_width }} end as {{ name }}_ci_high,
    {{ is_small_sample(n) }} as {{ name }}_is_small_sample
{%- endmacro %}
