-- Every raw line is staged, quarantined for a defect, or superseded by
-- another line with the same key: none is lost or counted twice.
with

counts as (
    select * from {{ ref('extract_row_counts') }}
),

quarantined_lines as (
    select
        extract_name,
        count(*) filter (
            where reason != 'duplicate_key' and defect_number = 1
        ) as lines_with_defects
    from {{ ref('quarantined_rows') }}
    group by extract_name
),

unbalanced as (
    select
        counts.extract_name,
        counts.rows_read,
        counts.rows_staged,
        counts.rows_with_defects,
        counts.rows_superseded,
        coalesce(quarantined_lines.lines_with_defects, 0) as lines_in_quarantine
    from counts
    left join quarantined_lines on counts.extract_name = quarantined_lines.extract_name
    where
        counts.rows_read != counts.rows_staged + counts.rows_with_defects + counts.rows_superseded
        or counts.rows_with_defects != coalesce(quarantined_lines.lines_with_defects, 0)
)

select * from unbalanced
