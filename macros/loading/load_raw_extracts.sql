{#-
    on-run-start: check every contract extract's structure and, in extracts
    mode, load it into `raw.<table>` with DuckDB's own readers.

    The contract (files and columns) is read from the dbt sources tagged
    `meta: {contract: raw-extracts}`, so it is written in one place.

    A structural defect (a missing file or column, an empty file, a file that is
    not UTF-8 or not CSV) raises before any node runs, naming the file, line and
    column but never the line's text: nothing is built, nothing is published.
    Row-level defects are left for staging, which quarantines them.
-#}
{% macro load_raw_extracts() %}
    {%- if not execute or flags.WHICH not in ('build', 'run', 'seed') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set extracts_dir = env_var('CX_EXTRACTS_DIR', '') | trim -%}
    {%- set read_dir = (extracts_dir if extracts_dir else project_root_path() ~ '/seeds') | replace('\\', '/') -%}
    {%- set read_dir = read_dir.rstrip('/') -%}
    {%- do run_query('create schema if not exists raw') -%}
    {%- for extract in contract_extracts() -%}
        {%- set reader = extract_reader(read_dir, extract) -%}
        {%- do check_extract_readable(reader) -%}
        {%- do check_extract_columns(reader, extract) -%}
        {%- if extracts_dir -%}
            {%- do run_query(
                'create or replace table raw.' ~ adapter.quote(extract.table)
                ~ ' as select columns(*)::varchar from ' ~ reader.sql
            ) -%}
            {{ log('loaded ' ~ reader.path, info=true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{% macro project_root_path() -%}
    {{- return(invocation_args_dict.get('project_dir') or '.') -}}
{%- endmacro %}


{% macro contract_extracts() %}
    {%- set extracts = [] -%}
    {%- for node in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- if node.source_meta.get('contract') == 'raw-extracts' -%}
            {%- do extracts.append({
                'system': node.source_name,
                'table': node.name,
                'columns': node.columns.keys() | list,
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(extracts) }}
{% endmacro %}


{#- The SQL that reads one extract: CSV or Parquet, whichever exists. -#}
{% macro extract_reader(read_dir, extract) %}
    {%- set stem = read_dir ~ '/' ~ extract.system ~ '/' ~ extract.table -%}
    {%- set found = run_query(
        'select file from glob(' ~ string_literal(stem ~ '.csv') ~ ') union all select file from glob('
        ~ string_literal(stem ~ '.parquet') ~ ') order by file'
    ).columns[0].values() -%}
    {%- if found | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            'Extract missing: ' ~ stem ~ '.csv (or .parquet) does not exist. Every contract '
            ~ 'extract must be present, header-only if it has no rows '
            ~ '(see docs/contract/raw-extracts.md).'
        ) }}
    {%- endif -%}
    {%- if found | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            'Extract ambiguous: both ' ~ stem ~ '.csv and ' ~ stem ~ '.parquet exist; keep one.'
        ) }}
    {%- endif -%}
    {%- set path = found[0] -%}
    {%- if path.endswith('.parquet') -%}
        {%- set sql = 'read_parquet(' ~ string_literal(path) ~ ')' -%}
    {%- else -%}
        {%- set sql = 'read_csv(' ~ string_literal(path) ~ ", header = true, all_varchar = true, delim = ',', "
            ~ "quote = '\"', escape = '\"', strict_mode = true, encoding = 'utf-8')" -%}
    {%- endif -%}
    {{ return({'path': path, 'sql': sql}) }}
{% endmacro %}


{#- Stops the run, in the project's words, on an extract DuckDB cannot read:
    empty, not UTF-8, a quote never closed. The message names the file, the
    line and the column, never the line's text (python/cx/extract_check.py,
    registered by the dbt plugin cx.dbt_plugin). -#}
{% macro check_extract_readable(reader) %}
    {%- set problem = run_query(
        'select cx_extract_problem(' ~ string_literal(reader.path) ~ ', ' ~ string_literal(reader.sql) ~ ')'
    ).columns[0].values()[0] -%}
    {%- if problem -%}
        {{ exceptions.raise_compiler_error(problem) }}
    {%- endif -%}
{% endmacro %}


{% macro check_extract_columns(reader, extract) %}
    {#- check_extract_readable has made sure that DuckDB reads the file. -#}
    {%- set described = run_query('describe select * from ' ~ reader.sql) -%}
    {%- set present = described.columns[0].values() | list -%}
    {%- set missing = [] -%}
    {%- for column in extract.columns if column not in present -%}
        {%- do missing.append(column) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            'Extract ' ~ reader.path ~ ' is missing column(s) ' ~ missing | join(', ')
            ~ '. The contract requires: ' ~ extract.columns | join(', ')
            ~ '. Its header line has ' ~ present | length ~ ' column(s); their names are not shown, '
            ~ 'as a file without its header line would show a line of data.'
        ) }}
    {%- endif -%}
{% endmacro %}
