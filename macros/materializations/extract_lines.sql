{#-
    The one incremental step of the warehouse: typing raw lines, file by file
    (DECISIONLOG.md, "Incremental: files, not facts").

    A base model materialized as `extract_lines` reads its extract's lines
    (`raw_source`, each with `_file_name`) and keeps, on every line it typed,
    the file's name, size and hash and when it was typed: the model's own
    rows are the state, nothing is kept beside it. A run compares them with
    the files present now (`raw.extract_files`, listed by the on-run-start
    hook) and, in one transaction,

    - deletes the lines of every file it holds that is gone or whose size or
      hash changed (a snapshot file that changed is one such file);
    - types the lines of every file it does not hold (new, or changed), and
      only those: the reader skips the other files (DuckDB's file filter on
      `_file_name`).

    The first build, `--full-refresh`, and a model whose columns changed type
    every file. Everything downstream of the base models is a plain table or
    view, rebuilt in full on every run, so a build always equals a full
    rebuild of the same files.

    A malformed CSV record of a file it types (DuckDB's reader skips it and
    keeps it in its rejects tables, `store_rejects`: load_raw_extracts.sql) is
    a line of the model too, every typed column null, with the defect
    `malformed_csv_line`, the line of the file where the record starts
    (`_line_number`) and its text (`_raw_row.csv_line`): quarantined like any
    other defect, so every line of a file is typed or quarantined
    (DECISIONLOG.md, "Malformed lines").
-#}

{#- The columns a base model carries about the file of each line. -#}
{% macro extract_file_columns() %}
    {{ return(['_file_name', '_file_size_bytes', '_file_hash', '_loaded_at', '_line_number']) }}
{% endmacro %}


{#- The extract (`<system>/<table>`) a base model types, from staged_extracts(). -#}
{% macro extract_of_base_model(model_name) %}
    {%- for extract in staged_extracts() if extract.base == model_name -%}
        {{ return(extract.extract) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        'Model ' ~ model_name ~ ' is materialized as extract_lines but is no base model of '
        ~ 'staged_extracts() (macros/staging/staged_extracts.sql).'
    ) }}
{% endmacro %}


{#- The model's lines of the files listed, with their file's size and hash.
    `file_names` is none for every current file of the extract. -#}
{% macro extract_lines_of_files(sql, extract_name, file_names) %}
    {%- set files_relation = api.Relation.create(database=this.database, schema='raw', identifier='extract_files') -%}
    select
        lines.*,
        files.file_size_bytes as _file_size_bytes,
        files.file_hash as _file_hash,
        cast({{ string_literal(run_started_at.isoformat()) }} as timestamptz) as _loaded_at,
        -- DuckDB 2.0.1's CSV reader numbers no line it reads; a rejected line has its number.
        null::bigint as _line_number
    from (
        {{ sql }}
    ) as lines
    inner join {{ files_relation }} as files
        on files.extract_name = {{ string_literal(extract_name) }} and lines._file_name = files.file_name
    {%- if file_names is not none %}
    where lines._file_name in {{ string_literal_list(file_names) }}
    {%- endif %}
{% endmacro %}


{#- The last scan of DuckDB's rejects tables on this connection (0 before any):
    the records rejected after it are those of the next read. -#}
{% macro last_rejects_scan() %}
    {%- set exists = run_query(
        "select count(*) from duckdb_tables() where temporary and table_name = 'reject_scans'"
    ).columns[0].values()[0] -%}
    {%- if exists == 0 -%}
        {{ return(0) }}
    {%- endif -%}
    {{ return(run_query('select coalesce(max(scan_id), 0) from reject_scans').columns[0].values()[0]) }}
{% endmacro %}


{#- Inserts into `target` the records DuckDB rejected in the scans after
    `after_scan` of the files listed (`file_names`, none for every file of the
    extract): one line per record, with its defects (one per error DuckDB
    gave it), the line of the file where it starts and its text, and the
    file's size and hash like every typed line. A statement. -#}
{% macro insert_rejected_lines(target, extract_name, file_names, after_scan) %}
    {%- set files_relation = api.Relation.create(database=target.database, schema='raw', identifier='extract_files') -%}
    insert into {{ target }} by name
    with

    errors as (
        select distinct
            scans.file_path,
            errors.line,
            errors.line_byte_position,
            errors.byte_position,
            errors.column_idx,
            errors.csv_line,
            {
                'column_name': coalesce(errors.column_name, '_line'),
                'raw_value': null::varchar,
                'reason': 'malformed_csv_line',
                'reason_detail': cx_malformed_line_detail(errors.error_type::varchar)
            } as defect
        from reject_errors as errors
        inner join reject_scans as scans using (scan_id, file_id)
        where errors.scan_id > {{ after_scan }}
        {%- if file_names is not none %}
            and scans.file_path in {{ string_literal_list(file_names) }}
        {%- endif %}
    ),

    -- One line per record, its defects in the order DuckDB met them.
    records as (
        select
            file_path,
            line,
            min(line_byte_position) as line_byte_position,
            list(defect order by byte_position, column_idx) as defects,
            arg_min(csv_line, byte_position) as csv_line
        from errors
        group by file_path, line
    ),

    files_with_records as (
        select
            file_path,
            list(records order by line_byte_position) as records,
            cx_line_numbers(file_path, list(line_byte_position::bigint order by line_byte_position)) as line_numbers
        from records
        group by file_path
    ),

    numbered as (
        select
            file_path,
            unnest(records) as record,
            unnest(line_numbers) as line_number
        from files_with_records
    )

    select
        numbered.file_path as _file_name,
        numbered.record.defects as _defects,
        to_json({'csv_line': numbered.record.csv_line}) as _raw_row,
        files.file_size_bytes as _file_size_bytes,
        files.file_hash as _file_hash,
        cast({{ string_literal(run_started_at.isoformat()) }} as timestamptz) as _loaded_at,
        numbered.line_number as _line_number
    from numbered
    inner join {{ files_relation }} as files
        on files.extract_name = {{ string_literal(extract_name) }} and numbered.file_path = files.file_name
{% endmacro %}


{% materialization extract_lines, adapter='duckdb' %}
    {%- set extract_name = extract_of_base_model(this.identifier) -%}
    {%- set existing = load_cached_relation(this) -%}
    {%- set target = this.incorporate(type='table') -%}
    {%- set files_relation = api.Relation.create(database=this.database, schema='raw', identifier='extract_files') -%}
    {%- set file_columns = extract_file_columns() -%}

    {%- set type_every_file = existing is none or existing.type != 'table' or should_full_refresh() -%}
    {%- if not type_every_file -%}
        {#- The model's columns as built must be those its SQL gives now. -#}
        {%- set built = adapter.get_columns_in_relation(existing) | map(attribute='name') | list -%}
        {%- set wanted = get_columns_in_query(sql) | list + file_columns[1:] -%}
        {%- if built | sort != wanted | sort -%}
            {{ log(this.identifier ~ ': its columns changed, so every file is typed again', info=true) }}
            {%- set type_every_file = true -%}
        {%- endif -%}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set after_scan = last_rejects_scan() -%}
    {%- if type_every_file -%}
        {%- if existing is not none and existing.type != 'table' -%}
            {{ adapter.drop_relation(existing) }}
        {%- endif -%}
        {% call statement('main') -%}
            create or replace table {{ target }} as
            {{ extract_lines_of_files(sql, extract_name, none) }}
        {%- endcall %}
        {%- if last_rejects_scan() > after_scan -%}
            {%- do run_query(insert_rejected_lines(target, extract_name, none, after_scan)) -%}
        {%- endif -%}
    {%- else -%}
        {%- set kept_file = '(_file_name, _file_size_bytes, _file_hash) in (select file_name, file_size_bytes, file_hash from '
            ~ files_relation ~ ' where extract_name = ' ~ string_literal(extract_name) ~ ')' -%}
        {%- set stale = run_query(
            'select distinct _file_name from ' ~ target ~ ' where not ' ~ kept_file ~ ' order by 1'
        ).columns[0].values() | list -%}
        {%- set new_files = run_query(
            'select file_name from ' ~ files_relation ~ ' where extract_name = ' ~ string_literal(extract_name)
            ~ ' and (file_name, file_size_bytes, file_hash) not in (select distinct _file_name, '
            ~ '_file_size_bytes, _file_hash from ' ~ target ~ ') order by 1'
        ).columns[0].values() | list -%}
        {{ log(this.identifier ~ ': ' ~ stale | length ~ ' file(s) removed or changed, '
            ~ new_files | length ~ ' file(s) to type', info=true) }}
        {% call statement('main') -%}
            {%- if stale %}
            delete from {{ target }} where _file_name in {{ string_literal_list(stale) }};
            {%- endif %}
            {%- if new_files %}
            insert into {{ target }} by name
            {{ extract_lines_of_files(sql, extract_name, new_files) }};
            {%- endif %}
            select 1
        {%- endcall %}
        {%- if new_files and last_rejects_scan() > after_scan -%}
            {%- do run_query(insert_rejected_lines(target, extract_name, new_files, after_scan)) -%}
        {%- endif -%}
    {%- endif -%}

    {#- Erasure: no line of a suppressed person stays, typed now or in an earlier run. -#}
    {%- if suppression_is_active() -%}
        {%- do run_query(
            'delete from ' ~ target ~ ' where ' ~ is_suppressed_line(extract_name, "_raw_row->>'COLUMN'")
            ~ ' or ' ~ is_suppressed_malformed_line()
        ) -%}
    {%- endif -%}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do persist_docs(target, model) %}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target]}) }}
{% endmaterialization %}


{#- A condition on a base model's line: a malformed CSV record DuckDB's reader
    rejected (the only lines with a `_line_number`). -#}
{% macro is_malformed_line() -%}
    _line_number is not null
{%- endmacro %}
