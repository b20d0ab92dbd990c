{#- Every column of the project tagged as personal data in its YAML
    (`meta: {pii: <kind>}`, python/cx/personal_data.py), one row each, read
    from dbt's graph: publishing leaves out the marts' columns of the withheld
    kinds (python/cx/publish.py). -#}
{%- set tagged = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
        if node.resource_type in ('model', 'seed', 'snapshot') -%}
        {%- for column in node.columns.values() -%}
            {%- set kind = (column.get('meta') or {}).get('pii')
                or ((column.get('config') or {}).get('meta') or {}).get('pii') -%}
            {%- if kind -%}
                {%- do tagged.append([node.resource_type, node.schema, node.alias or node.name, column.name, kind]) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for node in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- for column in node.columns.values() -%}
            {%- set kind = (column.get('meta') or {}).get('pii')
                or ((column.get('config') or {}).get('meta') or {}).get('pii') -%}
            {%- if kind -%}
                {%- do tagged.append(['source', node.schema, node.identifier, column.name, kind]) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif -%}

with

tagged_columns as (
    {%- if tagged %}
    select *
    from (
        values
        {%- for row in tagged %}
        (
            {{ string_literal(row[0]) }}, {{ string_literal(row[1]) }}, {{ string_literal(row[2]) }},
            {{ string_literal(row[3]) }}, {{ string_literal(row[4]) }}
        ){{ ',' if not loop.last }}
        {%- endfor %}
    ) as tagged (resource_type, schema_name, relation_name, column_name, pii_kind)
    {%- else %}
    select
        null::varchar as resource_type,
        null::varchar as schema_name,
        null::varchar as relation_name,
        null::varchar as column_name,
        null::varchar as pii_kind
    where false
    {%- endif %}
),

final as (
    select
        resource_type::varchar as resource_type,
        schema_name::varchar as schema_name,
        relation_name::varchar as relation_name,
        column_name::varchar as column_name,
        pii_kind::varchar as pii_kind
    from tagged_columns
)

select * from final
