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
-#}

{#- The columns a base model carries about the file of each line. -#}
{% macro extract_file_columns() %}
    {{ return(['_file_name', '_file_size_bytes', '_file_hash', '_loaded_at']) }}
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
        cast({{ string_literal(run_started_at.isoformat()) }} as timestamptz) as _loaded_at
    from (
        {{ sql }}
    ) as lines
    inner join {{ files_relation }} as files
        on files.extract_name = {{ string_literal(extract_name) }} and lines._file_name = files.file_name
    {%- if file_names is not none %}
    where lines._file_name in {{ string_literal_list(file_names) }}
    {%- endif %}
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

    {%- if type_every_file -%}
        {%- if existing is not none and existing.type != 'table' -%}
            {{ adapter.drop_relation(existing) }}
        {%- endif -%}
        {% call statement('main') -%}
            create or replace table {{ target }} as
            {{ extract_lines_of_files(sql, extract_name, none) }}
        {%- endcall %}
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
    {%- endif -%}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do persist_docs(target, model) %}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target]}) }}
{% endmaterialization %}
