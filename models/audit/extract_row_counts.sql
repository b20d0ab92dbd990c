{#-
    Where every raw line went, per extract: staged, quarantined for a defect,
    or set aside because another line with the same key was kept (a
    re-export superseded, or a duplicate key). The three add up to the lines
    read; a data test holds the pipeline to that.
-#}
{%- set extracts = staged_extracts() -%}

with

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
                select count(*) - count(distinct {{ extract.key }})
                from {{ ref(extract.base) }}
                where {{ shares_its_key() }}
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
        rows_with_defects,
        rows_superseded,
        is_re_export_expected
    from counts
)

select * from final
