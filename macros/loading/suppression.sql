{#-
    Erasure: the lines of every person in the suppression list are dropped as
    the extracts are loaded (README, "Personal data"; python/cx/erasure.py).

    The list holds SHA-256 hashes of emails and CRM contact ids, never the
    values. On each run the on-run-start hook reads it into
    `raw.suppressed_keys` (kind, hash) and, when it is not empty, follows the
    person through the extract files present now (`identifies` in
    staged_extracts.sql): their contact ids and emails, their help-desk user
    ids (by email or CRM id), tickets, orders and the devices their identify
    lines name, until no new key turns up. Only hashes are kept. Then

    - `raw.<table>` (a view over the files, or the sample's seed, post-hook
      below) leaves out every line whose `person_keys` hold a suppressed key;
    - each base model deletes such lines it typed in earlier runs, and a
      malformed CSV record any of whose fields is a suppressed key
      (materialization extract_lines), so the quarantine never holds them;
    - `raw.suppressed_line_counts` counts the lines dropped per extract, for
      the run report.

    An empty list costs nothing: no extract is read for it and no condition
    is added.
-#}

{#- The SHA-256 of a raw value as the suppression list hashes it: an email
    trimmed and in lower case, an id trimmed; null for an empty value. -#}
{% macro suppressed_key_hash(kind, expression) -%}
    {%- if kind == 'email' -%}
        sha256(nullif(lower(trim({{ expression }})), ''))
    {%- else -%}
        sha256(nullif(trim({{ expression }}), ''))
    {%- endif -%}
{%- endmacro %}


{#- The email addresses written in a text (a list, lower case): what looks
    like `local@domain.tld` between other characters; a sentence's closing
    full stop is not part of the address. -#}
{% macro emails_in_text(expression) -%}
    list_transform(regexp_extract_all({{ expression }}, '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}'), lambda address: lower(address))
{%- endmacro %}


{#- A condition: the line holds a suppressed key in one of its extract's
    `person_keys`, or a suppressed email address written in one of its
    `text_emails` columns. `column_expression` turns a raw column name (the
    placeholder COLUMN) into SQL: a quoted column of the raw relation by
    default, `_raw_row->>'COLUMN'` on a base model's lines. Never null. -#}
{% macro is_suppressed_line(extract_name, column_expression='"COLUMN"') -%}
    {%- set conditions = [] -%}
    {%- set extract = staged_extract(extract_name) -%}
    {%- for column, kind in extract.person_keys.items() | sort -%}
        {%- do conditions.append(
            'coalesce(' ~ suppressed_key_hash(kind, column_expression | replace('COLUMN', column))
            ~ ' in (select key_hash from raw.suppressed_keys where key_kind = '
            ~ string_literal(kind) ~ '), false)'
        ) -%}
    {%- endfor -%}
    {%- for column in extract.get('text_emails', []) -%}
        {%- do conditions.append(
            'coalesce(list_has_any(list_transform(' ~ emails_in_text(column_expression | replace('COLUMN', column))
            ~ ', lambda address: sha256(address)), (select coalesce(list(key_hash), []) from raw.suppressed_keys'
            ~ " where key_kind = 'email')), false)"
        ) -%}
    {%- endfor -%}
    {{- '(' ~ (conditions | join(' or ') if conditions else 'false') ~ ')' -}}
{%- endmacro %}


{#- A condition on a base model's line: a malformed CSV record (its text in
    `_raw_row.csv_line`, the only thing known of it) one of whose
    comma-separated fields, unquoted and trimmed, as it is or in lower case,
    or one of the email addresses written anywhere in it, is a suppressed key
    of any kind. -#}
{% macro is_suppressed_malformed_line() -%}
    coalesce(_line_number is not null and list_has_any(
        list_concat(
            list_transform(string_split(_raw_row->>'csv_line', ','), lambda field: sha256(trim(trim(field), '"'))),
            list_transform(string_split(_raw_row->>'csv_line', ','), lambda field: sha256(lower(trim(trim(field), '"')))),
            list_transform({{ emails_in_text("_raw_row->>'csv_line'") }}, lambda address: sha256(address))
        ),
        (select coalesce(list(key_hash), []) from raw.suppressed_keys)
    ), false)
{%- endmacro %}


{#- True when this run suppresses anybody (a statement's result). -#}
{% macro suppression_is_active() %}
    {%- set exists = run_query(
        "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'suppressed_keys'"
    ).columns[0].values()[0] -%}
    {%- if exists == 0 -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(run_query('select count(*) from raw.suppressed_keys').columns[0].values()[0] > 0) }}
{% endmacro %}


{#- Called by the on-run-start hook with every extract's reader (a query over
    its files now, every column text): the list's keys, the keys they lead to,
    and the lines suppressed per extract. -#}
{% macro load_suppressed_keys(readers) %}
    {%- do run_query(
        "create or replace table raw.suppressed_keys as select split_part(entry, ':', 1) as key_kind, "
        ~ "split_part(entry, ':', 2) as key_hash from (select unnest(cx_suppressed_keys()) as entry)"
    ) -%}
    {%- do run_query(
        'create or replace table raw.suppressed_line_counts (extract_name varchar, lines_suppressed bigint)'
    ) -%}
    {%- if not suppression_is_active() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set state = namespace(before=-1, after=0, rounds=0) -%}
    {#- Each round adds the keys of the lines the keys so far reach; the keys
        are finitely many, so it ends; 20 rounds is far beyond any chain the
        `identifies` rules can make (contact, email, user, email, contact). -#}
    {%- for round in range(20) if state.before != state.after -%}
        {%- set state.rounds = state.rounds + 1 -%}
        {%- set state.before = run_query('select count(*) from raw.suppressed_keys').columns[0].values()[0] -%}
        {%- for extract_name, reader in readers.items() | sort -%}
            {%- set extract = staged_extract(extract_name) -%}
            {%- if extract.identifies -%}
                {%- set keys = [] -%}
                {%- for column in extract.identifies -%}
                    {%- do keys.append(
                        "{'key_kind': " ~ string_literal(extract.person_keys[column]) ~ ", 'key_hash': "
                        ~ suppressed_key_hash(extract.person_keys[column], adapter.quote(column)) ~ '}'
                    ) -%}
                {%- endfor -%}
                {%- do run_query(
                    'insert into raw.suppressed_keys select distinct key_kind, key_hash from ('
                    ~ 'select unnest([' ~ keys | join(', ') ~ '], recursive := true) from (' ~ reader
                    ~ ') as source where ' ~ is_suppressed_line(extract_name) ~ ') as found '
                    ~ 'where key_hash is not null and (key_kind, key_hash) not in '
                    ~ '(select key_kind, key_hash from raw.suppressed_keys)'
                ) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set state.after = run_query('select count(*) from raw.suppressed_keys').columns[0].values()[0] -%}
    {%- endfor -%}
    {%- if state.before != state.after -%}
        {{ exceptions.raise_compiler_error(
            'Erasure: the suppressed keys still grew after 20 rounds; nothing was built.'
        ) }}
    {%- endif -%}
    {%- for extract_name, reader in readers.items() | sort -%}
        {%- do run_query(
            'insert into raw.suppressed_line_counts select ' ~ string_literal(extract_name)
            ~ ', count(*) from (' ~ reader ~ ') as source where ' ~ is_suppressed_line(extract_name)
        ) -%}
    {%- endfor -%}
    {{ log('suppression list: ' ~ state.after ~ ' suppressed key(s) after following the list'
        ~ ' through the extracts in ' ~ state.rounds ~ ' round(s)', info=true) }}
{% endmacro %}


{#- Post-hook of the sample's seeds (sample mode): delete the suppressed
    lines from the seed table `raw.<table>` just loaded. A statement, or
    nothing for a lookup seed or when nobody is suppressed. -#}
{% macro drop_suppressed_seed_lines() %}
    {%- if not execute or this is none or this.schema != 'raw' or not suppression_is_active() -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- for extract in contract_extracts() if extract.table == this.identifier -%}
        {{ return('delete from ' ~ this ~ ' where ' ~ is_suppressed_line(extract.system ~ '/' ~ extract.table)) }}
    {%- endfor -%}
    {{ return('select 1') }}
{% endmacro %}


{#- Post-hook of a snapshot of an extract's lines (snapshot_crm__contacts): the
    snapshot is state no rebuild recreates, so a person erased after it took
    their versions is deleted from it here, on every run the list is not
    empty. Its columns carry the extract's `person_keys` names. -#}
{% macro delete_suppressed_snapshot_rows(extract_name) %}
    {%- if execute and suppression_is_active() -%}
        delete from {{ this }} where {{ is_suppressed_line(extract_name) }}
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}
