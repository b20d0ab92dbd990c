{#-
    Schemas are named for their layer (raw, staging, audit, marts), not
    prefixed with the target schema: BI tools and the publish step read
    `marts.<name>` whatever the target.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
