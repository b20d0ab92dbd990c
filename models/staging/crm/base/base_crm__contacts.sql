{#- Every contacts export line, typed, with its defects. No row is dropped here. -#}
with

source as (
    select * from {{ raw_source('crm', 'contacts') }}
),

checked as (
    select
        {{ raw_text('contact_id') }} as contact_id,
        {{ normalise_email('email') }} as email,
        {{ raw_text('first_name') }} as first_name,
        {{ raw_text('last_name') }} as last_name,
        {{ raw_text('phone') }} as phone_raw,
        {{ normalise_phone('phone') }} as phone,
        {{ normalise_code('country') }} as country_code,
        {{ normalise_enum('segment') }} as segment,
        {{ normalise_enum('acquisition_channel') }} as acquisition_channel,
        {{ normalise_enum('lifecycle_stage') }} as lifecycle_stage,
        {{ parse_timestamp_utc('created_at') }} as created_at,
        {{ parse_timestamp_utc('updated_at') }} as updated_at,
        {{ parse_boolean('is_deleted') }} as is_deleted,
        {{ row_defects([
            check_required('contact_id'),
            check_pattern('contact_id', 'C[0-9]+', '`C` followed by digits'),
            check_pattern('country', '[A-Za-z]{2}', 'an ISO 3166 alpha-2 code'),
            check_required('segment'),
            check_accepted('segment', var('segments')),
            check_required('acquisition_channel'),
            check_accepted('acquisition_channel', var('acquisition_channels')),
            check_accepted('lifecycle_stage', var('lifecycle_stages')),
            check_required('created_at'),
            check_timestamp('created_at'),
            check_required('updated_at'),
            check_timestamp('updated_at'),
            check_required('is_deleted'),
            check_boolean('is_deleted'),
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
