{#-
    The NPS definitions, written once (DECISIONLOG.md, doc block `nps`).
    nps_category(score): promoter 9-10, passive 7-8, detractor 0-6.
    nps_counts(category): the aggregates responses, promoters, passives and
    detractors over rows carrying an nps_category.
    nps_counts_or_zero(relation): those four counts from `relation`, 0 where a
    dense grid's cell has no row there (a left join).
    nps_columns(promoters, detractors, responses): the plain NPS as the point
    estimate, and the adjusted-Wald standard error and 95% interval (Rocks
    2016): add 3 to n, 3/4 to promoters and 3/4 to detractors, then the
    variance of a difference of two proportions of one multinomial sample.
    The interval is clipped to [-100, 100] and never has zero width; every
    column is null without responses.
-#}
{% macro nps_category(score) -%}
    case
        when {{ score }} between 9 and 10 then 'promoter'
        when {{ score }} between 7 and 8 then 'passive'
        when {{ score }} between 0 and 6 then 'detractor'
    end
{%- endmacro %}

{% macro nps_counts(category) -%}
    count(*) as responses,
    count(*) filter (where {{ category }} = 'promoter') as promoters,
    count(*) filter (where {{ category }} = 'passive') as passives,
    count(*) filter (where {{ category }} = 'detractor') as detractors
{%- endmacro %}

{% macro nps_counts_or_zero(relation) -%}
    {%- for count in ['responses', 'promoters', 'passives', 'detractors'] %}
    coalesce({{ relation }}.{{ count }}, 0) as {{ count }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro nps_value(promoters, detractors, responses) -%}
    100.0 * ({{ promoters }} - {{ detractors }}) / nullif({{ responses }}, 0)
{%- endmacro %}

{#- The adjusted NPS (a proportion difference, -1..1) the interval is centred on. -#}
{% macro _nps_adjusted(promoters, detractors, responses) -%}
    (({{ promoters }}) - ({{ detractors }}))::double / (({{ responses }}) + 3)
{%- endmacro %}

{% macro nps_std_error(promoters, detractors, responses) -%}
    {%- set n = '((' ~ responses ~ ') + 3)' -%}
    {%- set p = '((' ~ promoters ~ ') + 0.75)::double / ' ~ n -%}
    {%- set d = '((' ~ detractors ~ ') + 0.75)::double / ' ~ n -%}
    case when ({{ responses }}) > 0 then
        100.0 * sqrt(
            ({{ p }} + {{ d }} - ({{ p }} - {{ d }}) * ({{ p }} - {{ d }})) / {{ n }}
        )
    end
{%- endmacro %}

{% macro nps_columns(promoters, detractors, responses) -%}
    {{ nps_value(promoters, detractors, responses) }} as nps,
    {{ nps_std_error(promoters, detractors, responses) }} as nps_std_error,
    case when ({{ responses }}) > 0 then greatest(
        100.0 * {{ _nps_adjusted(promoters, detractors, responses) }}
        - {{ z_95() }} * {{ nps_std_error(promoters, detractors, responses) }},
        -100
    ) end as nps_ci_low,
    case when ({{ responses }}) > 0 then least(
        100.0 * {{ _nps_adjusted(promoters, detractors, responses) }}
        + {{ z_95() }} * {{ nps_std_error(promoters, detractors, responses) }},
        100
    ) end as nps_ci_high
{%- endmacro %}

{#- nps_columns_by_survey_type(): aggregate columns that lay a long relation,
    one row per key and NPS survey type holding `nps_counts` and
    `nps_columns` (and `is_small_sample`), out as one row per key: for each
    survey type `t` of the `nps_survey_types` var, `<t>_responses`,
    `<t>_promoters`, `<t>_passives`, `<t>_detractors`, `<t>` (the NPS),
    `<t>_std_error`, `<t>_ci_low`, `<t>_ci_high` and `<t>_is_small_sample`.
    Group by the key. The types stay apart, never pooled. -#}
{% macro nps_columns_by_survey_type() -%}
    {%- set columns = [
        ('responses', '_responses'), ('promoters', '_promoters'), ('passives', '_passives'),
        ('detractors', '_detractors'), ('nps', ''), ('nps_std_error', '_std_error'),
        ('nps_ci_low', '_ci_low'), ('nps_ci_high', '_ci_high'),
        ('is_small_sample', '_is_small_sample'),
    ] -%}
    {%- for survey_type in var('nps_survey_types') %}
        {%- set outer_loop = loop %}
        {%- for column, suffix in columns %}
    any_value({{ column }}) filter (where survey_type = '{{ survey_type }}') as {{ survey_type }}{{ suffix }}
    {{- ',' if not (outer_loop.last and loop.last) }}
        {%- endfor %}
    {%- endfor %}
{%- endmacro %}


{#- NPS per NPS survey type in columns of its own (nps_columns_by_survey_type),
    one row per row of `grid` (a relation with the `keys` columns): every grid
    row and survey type gets a row, zero-filled where `counted` (the keys,
    `survey_type` and the counts of nps_counts) has none. A subquery; the
    agent, team and stage marts share it. -#}
{% macro nps_wide_by_survey_type(grid, survey_types, counted, keys) -%}
    select
        {%- for key in keys %}
        nps_by_type.{{ key }},
        {%- endfor %}
        {{ nps_columns_by_survey_type() }}
    from (
        select
            {%- for key in keys %}
            nps_scored.{{ key }},
            {%- endfor %}
            nps_scored.survey_type,
            nps_scored.responses,
            nps_scored.promoters,
            nps_scored.passives,
            nps_scored.detractors,
            {{ nps_columns('nps_scored.promoters', 'nps_scored.detractors', 'nps_scored.responses') }},
            {{ is_small_sample('nps_scored.responses') }} as is_small_sample
        from (
            select
                {%- for key in keys %}
                {{ grid }}.{{ key }},
                {%- endfor %}
                {{ survey_types }}.survey_type,
                {{ nps_counts_or_zero(counted) }}
            from {{ grid }}
            cross join {{ survey_types }}
            left join {{ counted }}
                on
                    {%- for key in keys %}
                    {{ grid }}.{{ key }} = {{ counted }}.{{ key }} and
                    {%- endfor %}
                    {{ survey_types }}.survey_type = {{ counted }}.survey_type
        ) as nps_scored
    ) as nps_by_type
    group by {% for key in keys %}nps_by_type.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
{%- endmacro %}
