{#-
    The one way staging reads a raw extract: its lines, every column as text,
    and `_file_name`, the extract file each line came from.

    Both load paths name the same relation, `raw.<table>`, which the source
    names. In sample mode that table is a dbt seed: the ref() below adds the
    seed to the DAG so that `dbt build` loads it before staging reads it, and
    its lines all come from the one committed file. In extracts mode
    (CX_EXTRACTS_DIR set) the on-run-start hook has already made `raw.<table>`
    a view over the extract's files, with `_file_name`, before any node runs,
    so no edge is needed.
-#}
{% macro raw_source(system, table) -%}
    {%- if var('sample_mode') | string | lower == 'true' -%}
        {%- do ref(table) -%}
        {%- set seed_file = project_root_path() ~ '/seeds/' ~ system ~ '/' ~ table ~ '.csv' -%}
        {{- return('(select *, ' ~ string_literal(seed_file) ~ ' as _file_name from '
            ~ source(system, table) ~ ')') -}}
    {%- endif -%}
    {{- return(source(system, table)) -}}
{%- endmacro %}


{#- A raw line as exported, for the audit: every column of the raw relation
    but the file it came from (a column of its own). -#}
{% macro raw_line() -%}
    struct_pack(*columns(* exclude (_file_name)))
{%- endmacro %}
