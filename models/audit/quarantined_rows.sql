{#-
    Every raw line staging could not use, one row per defect, with the whole
    raw line kept as JSON so nothing is lost, and the extract file it came
    from. A malformed CSV record (`malformed_csv_line`) has the line of the
    file it starts on and its text. Lines of one key that differ and
    that no rule of the contract orders are here too, all of them, as
    `conflicting_duplicate` (keep_one_line_per_key.sql).
-#}
{%- set extracts = staged_extracts() -%}

with

{% for extract in extracts -%}
    {{ extract.base }} as not materialized (
        select * from {{ ref(extract.base) }}
    ),

{% endfor -%}

defects as (
    {%- for extract in extracts %}
        select
            '{{ extract.extract }}' as extract_name,
            _file_name as file_name,
            _raw_row ->> '{{ extract.key }}' as row_key,
            _line_number as line_number,
            unnest(_defects) as defect,
            generate_subscripts(_defects, 1) as defect_number,
            _raw_row
        from {{ extract.base }}
        where len(_defects) > 0
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

conflicting_duplicates as (
    {%- for extract in extracts %}
        select
            '{{ extract.extract }}' as extract_name,
            _file_name as file_name,
            _raw_row ->> '{{ extract.key }}' as row_key,
            _line_number as line_number,
            {
                'column_name': '{{ extract.key }}',
                'raw_value': _raw_row ->> '{{ extract.key }}',
                'reason': 'conflicting_duplicate',
                'reason_detail': '{{
                    "lines with this key in its latest file differ and no rule chooses between them"
                    if extract.recency == '_file_name' else
                    "lines with this key and the latest " ~ extract.recency
                    ~ " differ and no rule chooses between them"
                    if extract.recency else
                    "lines with this unique key differ and no rule chooses between them"
                }}'
            } as defect,
            1 as defect_number,
            _raw_row
        from ({{ lines_sharing_their_key(extract.base, extract) }})
        where line_fate = 'conflicting_duplicate'
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

all_defects as (
    select * from defects
    union all
    select * from conflicting_duplicates
),

final as (
    select
        extract_name,
        file_name,
        line_number,
        row_key,
        -- expands the struct to column_name, raw_value, reason, reason_detail
        unnest(defect),  -- noqa: AL03
        defect_number,
        _raw_row as raw_row
    from all_defects
)

select * from final
