{#-
    The NPS definitions, written once (DECISIONLOG.md, doc block `nps`).
    nps_category(score): promoter 9-10, passive 7-8, detractor 0-6.
    nps_columns(promoters, detractors, responses): nps, its standard error and
    its 95% interval, clipped to [-100, 100]; null without responses.
-#}
{% macro nps_category(score) -%}
    case
        when {{ score }} between 9 and 10 then 'promoter'
        when {{ score }} between 7 and 8 then 'passive'
        when {{ score }} between 0 and 6 then 'detractor'
    end
{%- endmacro %}

{% macro nps_value(promoters, detractors, responses) -%}
    100.0 * ({{ promoters }} - {{ detractors }}) / nullif({{ responses }}, 0)
{%- endmacro %}

{% macro nps_std_error(promoters, detractors, responses) -%}
    {%- set p = '(' ~ promoters ~ ')::double / nullif(' ~ responses ~ ', 0)' -%}
    {%- set d = '(' ~ detractors ~ ')::double / nullif(' ~ responses ~ ', 0)' -%}
    100.0 * sqrt(
        ({{ p }} * (1 - {{ p }}) + {{ d }} * (1 - {{ d }}) + 2 * {{ p }} * {{ d }})
        / nullif({{ responses }}, 0)
    )
{%- endmacro %}

{% macro nps_columns(promoters, detractors, responses) -%}
    {{ nps_value(promoters, detractors, responses) }} as nps,
    {{ nps_std_error(promoters, detractors, responses) }} as nps_std_error,
    greatest(
        {{ nps_value(promoters, detractors, responses) }}
        - 1.96 * {{ nps_std_error(promoters, detractors, responses) }},
        -100
    ) as nps_ci_low,
    least(
        {{ nps_value(promoters, detractors, responses) }}
        + 1.96 * {{ nps_std_error(promoters, detractors, responses) }},
        100
    ) as nps_ci_high
{%- endmacro %}
