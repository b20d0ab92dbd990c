{#-
    Where an extract holds several usable lines with the same key, the kept
    line is the one with the latest `recency` column; ties go to the greatest
    raw line (a stable rule, so rebuilds agree). Staging keeps rank 1;
    audit models report the others. One rule, used by both. Every line of a
    key with several lines has its `_raw_row` (below), so the tie-break sees
    them all.
-#}
{% macro line_rank(key, recency) -%}
    row_number() over (
        partition by {{ key }}
        order by {{ recency }} desc nulls last, _raw_row desc
    )
{%- endmacro %}


{#- A base model's `_raw_row`: the raw line as JSON where audit may need it,
    lines with defects and lines sharing their key with another line (all but
    one of those are re-exports or duplicates); null on every other line, which
    staging keeps as it is typed. Writing every line as JSON, and breaking
    ties on it, was the largest cost of staging at scale (DECISIONLOG.md). -#}
{% macro raw_row_for_audit(key) -%}
    case
        when len(_defects) > 0 or count(*) over (partition by {{ key }}) > 1
            then to_json(_line)
    end
{%- endmacro %}


{#- True on a usable line whose key has other lines: the only lines that can be
    superseded or duplicated, and (by `raw_row_for_audit`) exactly the usable
    lines that carry their raw row. Audit models filter on it before ranking. -#}
{% macro shares_its_key() -%}
    (len(_defects) = 0 and _raw_row is not null)
{%- endmacro %}
