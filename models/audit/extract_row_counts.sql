{#-
    Where every raw line went, per extract: staged, quarantined (for a defect
    of its own, or as a conflicting duplicate), or superseded (an older
    re-export, or an exact duplicate of the staged line); of the quarantined,
    the malformed CSV records DuckDB's reader rejected. Staged, quarantined
    and superseded add up to the lines read, and the quarantined lines are
    exactly the lines in audit.quarantined_rows; a data test holds the
    pipeline to both.
-#}
{%- set extracts = staged_extracts() -%}

with

{% for extract in extracts -%}
    {{ extract.base }}__fates as (
        select
            line_fate,
            count(*) as line_count
        from ({{ lines_sharing_their_key(ref(extract.base), extract) }})
        group by line_fate
    ),

{% endfor -%}

counts as (
    {%- for extract in extracts %}
        select
            '{{ extract.extract }}' as extract_name,
            (select count(*) from {{ ref(extract.base) }}) as rows_read,
            (
                select count(*) from {{ ref(extract.base) }}
                where len(_defects) > 0
            ) as rows_with_defects,
            (
                select count(*) from {{ ref(extract.base) }}
                where {{ is_malformed_line() }}
            ) as rows_malformed,
            (
                select coalesce(sum(line_count), 0)::bigint from {{ extract.base }}__fates
                where line_fate = 'conflicting_duplicate'
            ) as rows_conflicting,
            (
                select coalesce(sum(line_count), 0)::bigint from {{ extract.base }}__fates
                where line_fate = 'superseded'
            ) as rows_superseded,
            {{ 'true' if extract.re_exported else 'false' }} as is_re_export_expected,
            (select count(*) from {{ ref(extract.staged) }}) as rows_staged
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        extract_name,
        rows_read,
        rows_staged,
        rows_with_defects + rows_conflicting as rows_quarantined,
        rows_with_defects,
        rows_malformed,
        rows_conflicting,
        rows_superseded,
        is_re_export_expected
    from counts
)

select * from final
