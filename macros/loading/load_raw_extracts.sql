{#-
    on-run-start: list every contract extract's files, check the structure of
    each file not loaded before and, in extracts mode, expose the files as
    `raw.<table>`.

    An extract is one file, `<dir>/<system>/<table>.csv` or `.parquet` (a full
    snapshot), or a folder `<dir>/<system>/<table>/` of such files read as one
    table (delta files, docs/contract/raw-extracts.md). The contract (files and
    columns) is read from the dbt sources tagged `meta: {contract: raw-extracts}`,
    so it is written in one place.

    `raw.extract_files` lists the files present now, with their size and a hash
    of their bytes; the base models (materialization `extract_lines`) type only
    the files whose name, size and hash they do not already hold. In extracts
    mode `raw.<table>` is a view over the extract's files with DuckDB's own
    readers, every column text, and `_file_name` naming the file of each line;
    in sample mode it is the dbt seed. Either way it leaves out the lines of
    every person in the suppression list (suppression.sql).

    An extract whose source table says `meta: {optional: true}` (reviews/reviews)
    may be left out of the folder: it is read as an extract without lines.
    A structural defect (a missing file or column, a file and a folder for one
    extract, an empty file, a file that is not UTF-8 or not CSV) raises before
    any node runs, naming the file, line and column but never the line's text:
    nothing is built, nothing is published. Each file is checked when it is new
    or changed (a file already loaded, same name, size and hash, passed when it
    was loaded); `--full-refresh` checks every file. Row-level defects are left
    for staging, which quarantines them.
-#}
{% macro load_raw_extracts() %}
    {%- if not execute or flags.WHICH not in ('build', 'run', 'seed') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set extracts_dir = env_var('CX_EXTRACTS_DIR', '') | trim -%}
    {%- set read_dir = (extracts_dir if extracts_dir else project_root_path() ~ '/seeds') | replace('\\', '/') -%}
    {%- set read_dir = read_dir.rstrip('/') -%}
    {%- do run_query('create schema if not exists raw') -%}
    {%- do run_query(
        'create or replace table raw.extract_files (extract_name varchar, file_name varchar, '
        ~ 'file_format varchar, is_delta_file boolean, file_size_bytes bigint, file_hash varchar)'
    ) -%}
    {%- set readers = {} -%}
    {%- set listed_files = {} -%}
    {%- for extract in contract_extracts() -%}
        {%- set extract_name = extract.system ~ '/' ~ extract.table -%}
        {%- set found = extract_file_paths(read_dir, extract) -%}
        {%- set listed = [] -%}
        {%- for path in found.paths -%}
            {%- do listed.append('(' ~ string_literal(path) ~ ')') -%}
        {%- endfor -%}
        {%- if listed -%}
            {%- do run_query(
                'insert into raw.extract_files select ' ~ string_literal(extract_name) ~ ', file, '
                ~ "case when file like '%.parquet' then 'parquet' else 'csv' end, "
                ~ ('true' if found.is_folder else 'false') ~ ', cx_file_size(file), cx_file_hash(file) '
                ~ 'from (values ' ~ listed | join(', ') ~ ') as files (file)'
            ) -%}
        {%- endif -%}
        {%- set loaded = loaded_extract_files(extract_name) -%}
        {%- set files = run_query(
            'select file_name, file_size_bytes, file_hash from raw.extract_files where extract_name = '
            ~ string_literal(extract_name) ~ ' order by file_name'
        ) -%}
        {%- set unchecked = [] -%}
        {%- for file in files.rows if (file[0] ~ '|' ~ file[1] ~ '|' ~ file[2]) not in loaded -%}
            {%- do unchecked.append(file[0]) -%}
        {%- endfor -%}
        {%- do check_extract_files(unchecked, extract) -%}
        {%- do readers.update({extract_name: extract_lines_reader(found, extract)}) -%}
        {%- do listed_files.update({extract_name: found.paths | length}) -%}
    {%- endfor -%}
    {#- Erasure: the suppression list's keys, followed through the files (suppression.sql). -#}
    {%- do load_suppressed_keys(readers) -%}
    {%- set is_suppressing = suppression_is_active() -%}
    {%- if extracts_dir -%}
        {%- for extract in contract_extracts() -%}
            {%- set extract_name = extract.system ~ '/' ~ extract.table -%}
            {%- do run_query(
                'create or replace view raw.' ~ adapter.quote(extract.table) ~ ' as '
                ~ (('select * from (' ~ readers[extract_name] ~ ') as lines where not '
                    ~ is_suppressed_line(extract_name)) if is_suppressing else readers[extract_name])
            ) -%}
            {{ log('listed ' ~ listed_files[extract_name] ~ ' file(s) of ' ~ extract_name, info=true) }}
        {%- endfor -%}
    {%- endif -%}
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
                'optional': node.meta.get('optional', false) is sameas true,
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(extracts) }}
{% endmacro %}


{#- The files of one extract: the single file `<stem>.csv` or `<stem>.parquet`,
    or every `*.csv` and `*.parquet` in the folder `<stem>/`, in name order.
    Anything else is a structural defect. -#}
{% macro extract_file_paths(read_dir, extract) %}
    {%- set stem = read_dir ~ '/' ~ extract.system ~ '/' ~ extract.table -%}
    {%- set single = run_query(
        'select file from glob(' ~ string_literal(stem ~ '.csv') ~ ') union all select file from glob('
        ~ string_literal(stem ~ '.parquet') ~ ') order by file'
    ).columns[0].values() | list -%}
    {#- Listed by the operating system, not by a glob pattern: a folder whose
        name holds `[`, `*` or `?` is listed as it is (python/cx/extract_files.py). -#}
    {%- set in_folder = run_query(
        'select entry from unnest(cx_folder_entries(' ~ string_literal(stem) ~ ')) as entries (entry)'
        ~ ' order by entry'
    ).columns[0].values() | list -%}
    {%- if single and in_folder -%}
        {{ exceptions.raise_compiler_error(
            'Extract ambiguous: both the file ' ~ single[0] ~ ' and the folder ' ~ stem ~ '/ exist. '
            ~ 'An extract is one snapshot file or one folder of delta files; keep one '
            ~ '(see docs/contract/raw-extracts.md).'
        ) }}
    {%- endif -%}
    {%- if single | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            'Extract ambiguous: both ' ~ stem ~ '.csv and ' ~ stem ~ '.parquet exist; keep one.'
        ) }}
    {%- endif -%}
    {%- if single -%}
        {{ return({'paths': single, 'is_folder': false}) }}
    {%- endif -%}
    {%- if not in_folder and extract.optional -%}
        {#- An optional extract (source table `meta: {optional: true}`) that is not
            delivered is read as one without lines. -#}
        {{ return({'paths': [], 'is_folder': false}) }}
    {%- endif -%}
    {%- if not in_folder -%}
        {{ exceptions.raise_compiler_error(
            'Extract missing: ' ~ stem ~ '.csv (or .parquet) does not exist, nor a folder ' ~ stem
            ~ '/ of .csv or .parquet files. Every contract extract must be present, '
            ~ 'header-only if it has no rows (see docs/contract/raw-extracts.md).'
        ) }}
    {%- endif -%}
    {%- for path in in_folder if not (path.endswith('.csv') or path.endswith('.parquet')) -%}
        {{ exceptions.raise_compiler_error(
            'Extract folder ' ~ stem ~ '/ holds ' ~ path ~ ', which is neither .csv nor .parquet. '
            ~ 'A folder extract holds only its delta files (see docs/contract/raw-extracts.md).'
        ) }}
    {%- endfor -%}
    {{ return({'paths': in_folder, 'is_folder': true}) }}
{% endmacro %}


{#- The extract files the base model of `extract_name` already holds, as
    `name|size|hash` strings; none on a full refresh or before the first build. -#}
{% macro loaded_extract_files(extract_name) %}
    {%- set base = graph.nodes.get('model.cx.' ~ staged_extract(extract_name).base) -%}
    {%- if flags.FULL_REFRESH or base is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set has_state = run_query(
        'select count(*) from duckdb_columns() where schema_name = ' ~ string_literal(base.schema)
        ~ ' and table_name = ' ~ string_literal(base.alias) ~ " and column_name = '_file_hash'"
    ).columns[0].values()[0] -%}
    {%- if has_state == 0 -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set rows = run_query(
        'select distinct _file_name, _file_size_bytes, _file_hash from '
        ~ adapter.quote(base.schema) ~ '.' ~ adapter.quote(base.alias)
    ).rows -%}
    {%- set loaded = [] -%}
    {%- for row in rows -%}
        {%- do loaded.append(row[0] ~ '|' ~ row[1] ~ '|' ~ row[2]) -%}
    {%- endfor -%}
    {{ return(loaded) }}
{% endmacro %}


{% macro csv_reader_options() -%}
    header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', strict_mode = true,
    encoding = 'utf-8'
{%- endmacro %}


{#- A query over all the files of one extract as one table, every column as
    text and `_file_name` naming each line's file. A snapshot file keeps
    every column, the contract's and any beyond them; a folder's files are
    read by the contract's column names only, in whatever order each file
    has them: its files may differ in the columns beyond the contract's, and
    matching every file's header by name (`union_by_name`) cost 9.0 s to bind
    686 daily files against 0.3 s this way (DECISIONLOG.md).

    CSV files are read in the contract's dialect, never sniffed, with the
    column names of their own header line (one `read_csv` per distinct header
    line: python/cx/malformed_lines.py); a malformed record is skipped and kept
    in DuckDB's rejects tables (`store_rejects`), from which the base model
    quarantines it (macros/materializations/extract_lines.sql). -#}
{% macro extract_lines_reader(found, extract) %}
    {%- set csv_files = [] -%}
    {%- set parquet_files = [] -%}
    {%- for path in found.paths -%}
        {%- do (parquet_files if path.endswith('.parquet') else csv_files).append(path) -%}
    {%- endfor -%}
    {%- if found.is_folder -%}
        {%- set quoted = [] -%}
        {%- for column in extract.columns -%}
            {%- do quoted.append(adapter.quote(column) ~ '::varchar as ' ~ adapter.quote(column)) -%}
        {%- endfor -%}
        {%- set selected = quoted | join(', ') ~ ', _file_name' -%}
    {%- else -%}
        {%- set selected = 'columns(*)::varchar' -%}
    {%- endif -%}
    {%- set readers = [] -%}
    {%- if not found.paths -%}
        {#- An optional extract not delivered: its columns, as text, and no line. -#}
        {%- set empty = [] -%}
        {%- for column in extract.columns -%}
            {%- do empty.append('null::varchar as ' ~ adapter.quote(column)) -%}
        {%- endfor -%}
        {{ return('select ' ~ empty | join(', ') ~ ', null::varchar as _file_name where false') }}
    {%- endif -%}
    {%- if csv_files -%}
        {%- set csv_readers = run_query(
            'select unnest(cx_csv_readers(' ~ string_literal_array(csv_files) ~ ', '
            ~ string_literal(csv_reader_options()) ~ '))'
        ).columns[0].values() -%}
        {%- for reader in csv_readers -%}
            {%- do readers.append('select ' ~ selected ~ ' from ' ~ reader) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if parquet_files -%}
        {%- set quoted_files = [] -%}
        {%- for path in parquet_files -%}
            {%- do quoted_files.append(string_literal(path)) -%}
        {%- endfor -%}
        {%- do readers.append(
            'select ' ~ selected ~ ' from read_parquet([' ~ quoted_files | join(', ') ~ '], '
            ~ "filename = '_file_name')"
        ) -%}
    {%- endif -%}
    {{ return(readers | join(' union all by name ')) }}
{% endmacro %}


{#- Stops the run, in the project's words, on an extract file DuckDB cannot
    read (empty, not UTF-8, no header line), one without a contract column, or
    a corrupt one: more than `malformed_line_max_share` of its lines in
    malformed records (fewer are quarantined). The message names the file, the line and the column, never the
    line's text (python/cx/extract_check.py, registered by the dbt plugin
    cx.dbt_plugin). The files are read together, once; each alone only when
    that fails. -#}
{% macro check_extract_files(paths, extract) %}
    {%- if not paths -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set problem = run_query(
        'select cx_extract_files_problem(' ~ string_literal_array(paths) ~ ', '
        ~ string_literal_array(extract.columns) ~ ', ' ~ string_literal(csv_reader_options()) ~ ', '
        ~ var('malformed_line_max_share') ~ '::double)'
    ).columns[0].values()[0] -%}
    {%- if problem -%}
        {{ exceptions.raise_compiler_error(problem) }}
    {%- endif -%}
{% endmacro %}
