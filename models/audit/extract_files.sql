{#-
    Every extract file present on this run and what the build holds of it
    (macros/materializations/extract_lines.sql): the base models' own record
    of the files they typed, per file.
-#}
{%- set extracts = staged_extracts() -%}

with

files as (
    select * from {{ source('extracts', 'files') }}
),

{% for extract in extracts -%}
    {{ extract.base }} as not materialized (
        select * from {{ ref(extract.base) }}
    ),

{% endfor -%}

typed_files as (
    {%- for extract in extracts %}
        select
            '{{ extract.extract }}' as extract_name,
            _file_name as file_name,
            count(*) as lines_read,
            count(*) filter (where len(_defects) > 0) as lines_with_defects,
            count(*) filter (where {{ is_malformed_line() }}) as lines_malformed,
            min(_loaded_at) as loaded_at
        from {{ extract.base }}
        group by _file_name
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        files.extract_name,
        files.file_name,
        files.file_format,
        files.is_delta_file,
        files.file_size_bytes,
        files.file_hash,
        coalesce(typed_files.lines_read, 0) as lines_read,
        coalesce(typed_files.lines_with_defects, 0) as lines_with_defects,
        coalesce(typed_files.lines_malformed, 0) as lines_malformed,
        typed_files.loaded_at
    from files
    left join typed_files
        on files.extract_name = typed_files.extract_name and files.file_name = typed_files.file_name
)

select * from final
