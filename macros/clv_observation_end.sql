{#- The CLV observation end as a SQL date literal, or null for "the last order date".
    CX_CLV_OBSERVATION_END must be YYYY-MM-DD; anything else stops the build here. -#}
{% macro clv_observation_end() -%}
    {%- set value = var('clv_observation_end') | string | trim -%}
    {%- if value == '' -%}
        null
    {%- elif modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value) -%}
        date '{{ value }}'
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            'CX_CLV_OBSERVATION_END must be a date as YYYY-MM-DD, got "' ~ value ~ '"'
        ) }}
    {%- endif -%}
{%- endmacro %}
