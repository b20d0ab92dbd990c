{#- Every help-desk user line, typed, with its defects. No row is dropped here. -#}
with

source as (
    select * from {{ raw_source('support', 'users') }}
),

checked as (
    select
        {{ parse_integer('user_id') }} as user_id,
        {{ normalise_email('email') }} as email,
        {{ raw_text('name') }} as user_name,
        {{ raw_text('phone') }} as phone_raw,
        {{ normalise_phone('phone') }} as phone,
        {{ normalise_enum('role') }} as user_role,
        {{ raw_text('external_id') }} as external_contact_id,
        {{ parse_timestamp_utc('created_at') }} as created_at,
        {{ row_defects([
            check_required('user_id'),
            check_integer('user_id'),
            check_required('role'),
            check_accepted('role', var('support_roles')),
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
