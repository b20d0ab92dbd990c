{#- The columns of a contact version, as the history keeps them: the key, the
    moment and the tracked attributes (DECISIONLOG.md, "History of
    customers"). One list for the lines' versions, the snapshot and the
    history's union of both. -#}
{% macro contact_version_columns() -%}
    contact_id,
    updated_at,
    segment,
    lifecycle_stage,
    country_code,
    email,
    is_deleted
{%- endmacro %}
