{#-
    The one way staging reads a raw extract.

    Both load paths write the same relation, `raw.<table>`, which the source
    names. In sample mode that table is a dbt seed: the ref() below adds the
    seed to the DAG so that `dbt build` loads it before staging reads it. In
    extracts mode (CX_EXTRACTS_DIR set) the on-run-start hook has already
    written the table before any node runs, so no edge is needed.
-#}
{% macro raw_source(system, table) -%}
    {%- if var('sample_mode') | string | lower == 'true' -%}
        {%- do ref(table) -%}
    {%- endif -%}
    {{- return(source(system, table)) -}}
{%- endmacro %}
