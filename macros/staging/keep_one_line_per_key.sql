{#-
    Where an extract holds several usable lines with the same key, the kept
    line is the one with the latest `recency` column; ties go to the greatest
    raw line (a stable rule, so rebuilds agree). Staging keeps rank 1;
    audit models report the others. One rule, used by both.
-#}
{% macro line_rank(key, recency) -%}
    row_number() over (
        partition by {{ key }}
        order by {{ recency }} desc nulls last, _raw_row desc
    )
{%- endmacro %}
