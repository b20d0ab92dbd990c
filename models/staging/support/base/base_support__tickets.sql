{#- Every ticket line, typed, with its defects. No row is dropped here. -#}
with

source as (
    select * from {{ raw_source('support', 'tickets') }}
),

checked as (
    select
        {{ parse_integer('ticket_id') }} as ticket_id,
        {{ parse_integer('requester_id') }} as requester_id,
        {{ parse_integer('assignee_id') }} as assignee_id,
        {{ parse_timestamp_utc('created_at') }} as created_at,
        {{ parse_timestamp_utc('updated_at') }} as updated_at,
        {{ normalise_enum('status') }} as status,
        {{ normalise_enum('priority') }} as priority,
        {{ normalise_enum('channel') }} as channel,
        {{ raw_text('subject') }} as subject,
        list_filter(
            string_split(coalesce({{ raw_text('tags') }}, ''), ' '), lambda tag: tag <> ''
        ) as tags,
        {{ normalise_enum('satisfaction_rating') }} as satisfaction_rating,
        {{ raw_text('satisfaction_comment') }} as satisfaction_comment,
        {{ row_defects([
            check_required('ticket_id'),
            check_integer('ticket_id'),
            check_required('requester_id'),
            check_integer('requester_id'),
            check_integer('assignee_id'),
            check_required('created_at'),
            check_timestamp('created_at'),
            check_required('updated_at'),
            check_timestamp('updated_at'),
            check_required('status'),
            check_accepted('status', var('ticket_statuses')),
            check_accepted('priority', var('ticket_priorities')),
            check_required('channel'),
            check_accepted('channel', var('ticket_channels')),
            check_required('satisfaction_rating'),
            check_accepted('satisfaction_rating', var('satisfaction_ratings')),
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
