{#- dbt's default safe_cast is a plain cast on DuckDB: a bad value fails the
    whole model. try_cast gives null instead, which staging turns into a
    quarantined row with a reason. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
