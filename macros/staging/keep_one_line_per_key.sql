{#-
    Where an extract holds several usable lines with the same key, what
    becomes of each (DECISIONLOG.md, "Which line wins"). Only the contract's
    rules order lines: re-exported contacts by the latest `updated_at`,
    re-exported responses by the latest `recorded_date` (the extract's
    `recency` in staged_extracts()); in every other extract the key is unique
    and nothing orders its lines. Then, for the lines of one key:

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
    a base model, without its defects and raw JSON. Equality only, no order. -#}
{% macro line_version() -%}
    struct_pack(*columns(* exclude (_defects, _raw_row)))
{%- endmacro %}


{#- The usable lines of `relation` (a base model or a CTE over one) that share
    their key with another usable line, each with its `line_fate` (above). A
    subquery. -#}
{% macro lines_sharing_their_key(relation, extract) -%}
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
    where {{ shares_its_key() }}
{%- endmacro %}


{#- The lines staging keeps from `relation`: every usable line alone with its
    key, and the `staged` line of each shared key. A subquery with the
    relation's columns. -#}
{% macro kept_lines(relation, extract_name) -%}
    {%- set extract = staged_extract(extract_name) -%}
    select * from {{ relation }}
    where len(_defects) = 0 and _raw_row is null
    union all
    select * exclude (line_fate)
    from ({{ lines_sharing_their_key(relation, extract) }})
    where line_fate = 'staged'
{%- endmacro %}


{#- A base model's `_raw_row`: the raw line as JSON where audit may need it,
    lines with defects and lines sharing their key with another line; null on
    every other line, which staging keeps as it is typed. Writing every line
    as JSON was the largest cost of staging at scale (DECISIONLOG.md). -#}
{% macro raw_row_for_audit(key) -%}
    case
        when len(_defects) > 0 or count(*) over (partition by {{ key }}) > 1
            then to_json(_line)
    end
{%- endmacro %}


{#- True on a usable line whose key has other lines: the only lines that can be
    superseded, duplicated or in conflict, and (by `raw_row_for_audit`) exactly
    the usable lines that carry their raw row. -#}
{% macro shares_its_key() -%}
    (len(_defects) = 0 and _raw_row is not null)
{%- endmacro %}
