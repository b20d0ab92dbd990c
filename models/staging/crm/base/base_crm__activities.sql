{#- Every activity line, typed, with its defects. No row is dropped here. -#}
with

source as (
    select * from {{ raw_source('crm', 'activities') }}
),

checked as (
    select
        {{ raw_text('activity_id') }} as activity_id,
        {{ raw_text('contact_id') }} as contact_id,
        {{ raw_text('anonymous_id') }} as anonymous_id,
        {{ normalise_email('email') }} as email,
        {{ normalise_enum('activity_type') }} as activity_type,
        {{ normalise_enum('channel') }} as channel,
        {{ raw_text('campaign') }} as campaign,
        {{ parse_timestamp_utc('occurred_at') }} as occurred_at,
        {{ row_defects([
            check_required('activity_id'),
            check_pattern('contact_id', 'C[0-9]+', '`C` followed by digits'),
            check_required('activity_type'),
            check_accepted('activity_type', var('activity_types')),
            check_required('channel'),
            check_accepted('channel', var('activity_channels')),
            check_required('occurred_at'),
            check_timestamp('occurred_at'),
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
