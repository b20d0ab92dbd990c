{#- Every version of each contact that the typed export lines hold: one row per
    distinct (contact, updated_at, tracked values) among the lines without
    defects, from every file of the extract (a delta folder keeps each day's
    lines, a snapshot file only its own). Two lines of one contact with the
    same `updated_at` and the same tracked values are one version (an exact
    re-export, or the same line in two files); lines with the same
    `updated_at` and different values are two rows, which the history marks
    as conflicting (DECISIONLOG.md, "History of customers"). -#}
with

contacts as not materialized (
    select * from {{ ref('base_crm__contacts') }}
),

usable_lines as (
    select * from contacts
    where len(_defects) = 0
),

final as (
    select distinct
        {{ contact_version_columns() }}
    from usable_lines
)

select * from final
