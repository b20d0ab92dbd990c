{#-
    Where an extract holds several usable lines with the same key, what
    becomes of each (DECISIONLOG.md, "Which line wins"). Only the contract's
    rules order lines (the extract's `recency` in staged_extracts()): contacts
    by the latest `updated_at`, tickets by the latest `updated_at`, responses
    by the latest `recorded_date`, orders and help-desk users by the latest
    file they were delivered in (a delta folder's files in name order); in the
    other extracts the key is unique and nothing orders its lines. Then, for the lines of one key:

    - `superseded`: an older re-export (its `recency` is not the latest);
    - `conflicting_duplicate`: the lines that no rule orders (all of them in
      an extract without `recency`, the latest ones in an extract with it)
      differ in a staged value; none can be chosen, so all are quarantined;
    - `staged` for one of the lines no rule orders when they are identical in
      every staged value (an exact duplicate), `superseded` for the others.

    Nothing is chosen by sorting: which of identical lines is staged changes
    no value. Staging keeps the `staged` lines; audit models quarantine the
    conflicting ones and count the superseded ones. One rule, used by all.
-#}

{#- A line's staged values, to compare lines of one key: every typed column of
    a base model, without its defects, raw JSON and the file it came from
    (selected by name: a unit test's rows may lack the file columns). Equality
    only, no order. -#}
{% macro line_version() -%}
    {%- set not_compared = ['_defects', '_raw_row'] + extract_file_columns() -%}
    struct_pack(*columns(lambda column_name: column_name not in {{ string_literal_list(not_compared) }}))
{%- endmacro %}


{#- The keys of `relation` (a base model or a CTE over one) that more than one
    usable line holds: a subquery of one column. Counted here, over every file
    of the extract, not when a file is typed: a line typed alone can share its
    key with a line of a later file. An aggregate of the key alone: a window
    over the usable lines would carry every column of every line, its raw JSON
    included, through the sort. -#}
{% macro shared_keys(relation, extract) -%}
    select {{ extract.key }}
    from {{ relation }}
    where len(_defects) = 0
    group by {{ extract.key }}
    having count(*) > 1
{%- endmacro %}


{#- The fate (above) of each usable line of `relation` whose key is one of
    `keys` (a relation of `shared_keys`), as `line_fate`, with the relation's
    columns. A subquery. -#}
{% macro fates_of_lines_sharing_their_key(relation, keys, extract) -%}
    {%- set no_rule_orders = extract.key ~ (', ' ~ extract.recency if extract.recency else '') -%}
    select
        *,
        case
            {%- if extract.recency %}
            when {{ extract.recency }} < max({{ extract.recency }}) over (
                partition by {{ extract.key }}
            ) then 'superseded'
            {%- endif %}
            when count(distinct {{ line_version() }}) over (partition by {{ no_rule_orders }}) > 1
                then 'conflicting_duplicate'
            when row_number() over (partition by {{ no_rule_orders }}) > 1 then 'superseded'
            else 'staged'
        end as line_fate
    from {{ relation }}
    where len(_defects) = 0 and {{ extract.key }} in (select {{ extract.key }} from {{ keys }})
{%- endmacro %}


{#- The usable lines of `relation` (a base model or a CTE over one) that share
    their key with another usable line, each with its `line_fate` (above). A
    subquery. -#}
{% macro lines_sharing_their_key(relation, extract) -%}
    {{ fates_of_lines_sharing_their_key(relation, '(' ~ shared_keys(relation, extract) ~ ')', extract) }}
{%- endmacro %}


{#- The lines staging keeps from `relation`: every usable line alone with its
    key, and the `staged` line of each shared key. A subquery with the
    relation's columns. It reads `relation` three times: a CTE over a base
    model must be declared `as not materialized`, or DuckDB writes every
    line, raw JSON included, to a buffer first (DECISIONLOG.md, "Typed lines
    are read, not buffered"). -#}
{% macro kept_lines(relation, extract_name) -%}
    {%- set extract = staged_extract(extract_name) -%}
    with

    shared_keys as (
        {{ shared_keys(relation, extract) }}
    )

    select * from {{ relation }}
    where len(_defects) = 0 and {{ extract.key }} not in (select {{ extract.key }} from shared_keys)
    union all
    select * exclude (line_fate)
    from ({{ fates_of_lines_sharing_their_key(relation, 'shared_keys', extract) }})
    where line_fate = 'staged'
{%- endmacro %}
