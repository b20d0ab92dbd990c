{#- Every ticket audit-log line, typed, with its defects. No row is dropped here. -#}
with

source as (
    select * from {{ raw_source('support', 'ticket_events') }}
),

checked as (
    select
        {{ parse_integer('event_id') }} as event_id,
        {{ parse_integer('ticket_id') }} as ticket_id,
        {{ parse_integer('author_id') }} as author_id,
        {{ normalise_enum('event_type') }} as event_type,
        {{ parse_boolean('is_public') }} as is_public,
        {{ normalise_enum('status') }} as new_status,
        {{ parse_timestamp_utc('created_at') }} as created_at,
        {{ row_defects([
            check_required('event_id'),
            check_integer('event_id'),
            check_required('ticket_id'),
            check_integer('ticket_id'),
            check_required('author_id'),
            check_integer('author_id'),
            check_required('event_type'),
            check_accepted('event_type', var('ticket_event_types')),
            check_boolean('is_public'),
            defect(
                normalise_enum('event_type') ~ " = 'comment' and " ~ raw_text('is_public') ~ ' is null',
                'is_public', 'missing_value', 'a comment must say whether it is public'
            ),
            check_accepted('status', var('ticket_statuses')),
            defect(
                normalise_enum('event_type') ~ " = 'status_change' and " ~ raw_text('status') ~ ' is null',
                'status', 'missing_value', 'a status change must name the new status'
            ),
            check_required('created_at'),
            check_timestamp('created_at'),
        ]) }} as _defects,
        source._file_name,
        {{ raw_line() }} as _line
    from source
),

final as (
    select
        * exclude (_line),
        to_json(_line) as _raw_row
    from checked
)

select * from final
