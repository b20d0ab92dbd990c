-- Every raw line is staged, quarantined (for a defect of its own, a
-- malformed CSV record among them, or as a conflicting duplicate) or
-- superseded by another line with the same key: none is lost or counted
-- twice, and the quarantined lines counted are the lines in
-- audit.quarantined_rows, reason by reason.
with

counts as (
    select * from {{ ref('extract_row_counts') }}
),

quarantined_lines as (
    select
        extract_name,
        count(*) filter (where defect_number = 1) as line_count,
        count(*) filter (
            where defect_number = 1 and reason = 'conflicting_duplicate'
        ) as conflicting_lines,
        count(*) filter (
            where defect_number = 1 and reason = 'malformed_csv_line' and line_number is not null
        ) as malformed_lines
    from {{ ref('quarantined_rows') }}
    group by extract_name
),

unbalanced as (
    select
        counts.extract_name,
        counts.rows_read,
        counts.rows_staged,
        counts.rows_quarantined,
        counts.rows_with_defects,
        counts.rows_conflicting,
        counts.rows_malformed,
        counts.rows_superseded,
        coalesce(quarantined_lines.line_count, 0) as lines_in_quarantine,
        coalesce(quarantined_lines.conflicting_lines, 0) as conflicting_lines_in_quarantine,
        coalesce(quarantined_lines.malformed_lines, 0) as malformed_lines_in_quarantine
    from counts
    left join quarantined_lines on counts.extract_name = quarantined_lines.extract_name
    where
        counts.rows_read != counts.rows_staged + counts.rows_quarantined + counts.rows_superseded
        or counts.rows_quarantined != counts.rows_with_defects + counts.rows_conflicting
        or counts.rows_quarantined != coalesce(quarantined_lines.line_count, 0)
        or counts.rows_conflicting != coalesce(quarantined_lines.conflicting_lines, 0)
        or counts.rows_malformed != coalesce(quarantined_lines.malformed_lines, 0)
)

select * from unbalanced
