{#- numerator / denominator as a double, null when the denominator is zero. -#}
{% macro safe_ratio(numerator, denominator) -%}
    ({{ numerator }})::double / nullif({{ denominator }}, 0)
{%- endmacro %}
