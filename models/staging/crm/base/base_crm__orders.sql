{#- Every order line, typed, with its defects. No row is dropped here. -#}
with

source as (
    select * from {{ raw_source('crm', 'orders') }}
),

checked as (
    select
        {{ raw_text('order_id') }} as order_id,
        {{ raw_text('contact_id') }} as contact_id,
        {{ parse_timestamp_utc('ordered_at') }} as ordered_at,
        {{ normalise_enum('channel') }} as channel,
        {{ normalise_enum('status') }} as status,
        {{ normalise_code('currency') }} as currency_code,
        {{ parse_decimal('amount') }} as amount,
        {{ parse_timestamp_utc('refunded_at') }} as refunded_at,
        {{ row_defects([
            check_required('order_id'),
            check_required('contact_id'),
            check_pattern('contact_id', 'C[0-9]+', '`C` followed by digits'),
            check_required('ordered_at'),
            check_timestamp('ordered_at'),
            check_required('channel'),
            check_accepted('channel', var('order_channels')),
            check_required('status'),
            check_accepted('status', var('order_statuses')),
            check_required('currency'),
            check_accepted('currency', var('currencies'), normalise='code'),
            check_required('amount'),
            check_decimal('amount', min_value=0),
            check_timestamp('refunded_at'),
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
