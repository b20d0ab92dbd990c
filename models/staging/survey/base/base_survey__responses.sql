{#- Every response export line, typed, with its defects. No row is dropped here. -#}
with

source as (
    select * from {{ raw_source('survey', 'responses') }}
),

checked as (
    select
        {{ raw_text('response_id') }} as response_id,
        {{ raw_text('survey_id') }} as survey_id,
        {{ raw_text('status') }} as response_status,
        {{ normalise_email('recipient_email') }} as recipient_email,
        {{ raw_text('contact_ref') }} as contact_ref,
        {{ normalise_enum('distribution_channel') }} as distribution_channel,
        {{ parse_timestamp_utc('start_date') }} as started_at,
        {{ parse_timestamp_utc('end_date') }} as ended_at,
        {{ parse_timestamp_utc('recorded_date') }} as recorded_at,
        {{ parse_integer('finished') }} = 1 as is_finished,
        {{ parse_integer('progress') }} as progress_pct,
        {{ parse_integer('nps_score') }} as nps_score,
        {{ parse_integer('csat_score') }} as csat_score,
        {{ parse_integer('ces_score') }} as ces_score,
        {{ raw_text('comment') }} as comment_text,
        {{ parse_integer('related_ticket_id') }} as related_ticket_id,
        {{ raw_text('related_order_id') }} as related_order_id,
        {{ normalise_enum('language') }} as language_code,
        {{ row_defects([
            check_required('response_id'),
            check_pattern('response_id', 'R_[A-Za-z0-9]{15}', '`R_` followed by 15 letters or digits'),
            check_required('survey_id'),
            check_required('status'),
            defect(
                raw_text('status') ~ " is not null and " ~ raw_text('status')
                ~ " not in " ~ string_literal_list(var('response_statuses')),
                'status', 'unknown_value', 'expected one of ' ~ var('response_statuses') | join(', ')
            ),
            check_pattern('contact_ref', 'C[0-9]+', '`C` followed by digits'),
            check_required('distribution_channel'),
            check_accepted('distribution_channel', var('distribution_channels')),
            check_required('start_date'),
            check_timestamp('start_date'),
            check_required('end_date'),
            check_timestamp('end_date'),
            check_required('recorded_date'),
            check_timestamp('recorded_date'),
            check_required('finished'),
            check_integer('finished', 0, 1),
            check_required('progress'),
            check_integer('progress', 0, 100),
            check_integer('nps_score', 0, 10),
            check_integer('csat_score', 1, 5),
            check_integer('ces_score', 1, 7),
            check_integer('related_ticket_id'),
            check_required('language'),
            check_accepted('language', var('languages')),
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
