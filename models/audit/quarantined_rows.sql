{#-
    Every raw line staging could not use, one row per defect, with the whole
    raw line kept as JSON so nothing is lost. Lines with a duplicate key
    (where the contract says the key is unique) are here too.
-#}
{%- set extracts = staged_extracts() -%}

with

{% for extract in extracts -%}
    {{ extract.base }} as (
        select * from {{ ref(extract.base) }}
    ),

{% endfor -%}

defects as (
    {%- for extract in extracts %}
        select
            '{{ extract.extract }}' as extract_name,
            _raw_row ->> '{{ extract.key }}' as row_key,
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

duplicate_keys as (
    {%- for extract in extracts if not extract.re_exported %}
        select
            '{{ extract.extract }}' as extract_name,
            _raw_row ->> '{{ extract.key }}' as row_key,
            {
                'column_name': '{{ extract.key }}',
                'raw_value': _raw_row ->> '{{ extract.key }}',
                'reason': 'duplicate_key',
                'reason_detail': 'another line with this key was kept'
            } as defect,
            1 as defect_number,
            _raw_row
        from {{ extract.base }}
        where {{ shares_its_key() }}
        qualify {{ line_rank(extract.key, extract.recency) }} > 1
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

all_defects as (
    select * from defects
    union all
    select * from duplicate_keys
),

final as (
    select
        extract_name,
        row_key,
        -- expands the struct to column_name, raw_value, reason, reason_detail
        unnest(defect),  -- noqa: AL03
        defect_number,
        _raw_row as raw_row
    from all_defects
)

select * from final
