{#- A query: every column of the project tagged as personal data in its YAML
    (`meta: {pii: <kind>}`, python/cx/personal_data.py), read from dbt's
    graph, one row each: resource_type, schema_name, relation_name,
    column_name, pii_kind. -#}
{% macro tagged_personal_data_columns() %}
    {%- set tagged = [] -%}
    {%- if execute -%}
        {%- set nodes = [] -%}
        {%- for node in graph.nodes.values() | sort(attribute='unique_id')
            if node.resource_type in ('model', 'seed', 'snapshot') -%}
            {%- do nodes.append([node.resource_type, node.schema, node.alias or node.name, node.columns]) -%}
        {%- endfor -%}
        {%- for node in graph.sources.values() | sort(attribute='unique_id') -%}
            {%- do nodes.append(['source', node.schema, node.identifier, node.columns]) -%}
        {%- endfor -%}
        {%- for resource_type, schema, relation, columns in nodes -%}
            {%- for column in columns.values() -%}
                {%- set kind = (column.get('meta') or {}).get('pii')
                    or ((column.get('config') or {}).get('meta') or {}).get('pii') -%}
                {%- if kind -%}
                    {%- do tagged.append(
                        'select ' ~ string_literal(resource_type) ~ ', ' ~ string_literal(schema) ~ ', '
                        ~ string_literal(relation) ~ ', ' ~ string_literal(column.name) ~ ', '
                        ~ string_literal(kind)
                    ) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if not tagged -%}
        {%- do tagged.append('select null, null, null, null, null where false') -%}
    {%- endif -%}
    select * from ({{ tagged | join(' union all ') }})
        as tagged (resource_type, schema_name, relation_name, column_name, pii_kind)
{% endmacro %}
