{#- Every survey definition line, typed, with its defects. No row is dropped here. -#}
with

source as (
    select * from {{ raw_source('survey', 'surveys') }}
),

checked as (
    select
        {{ raw_text('survey_id') }} as survey_id,
        {{ raw_text('survey_name') }} as survey_name,
        {{ normalise_enum('survey_type') }} as survey_type,
        {{ normalise_enum('trigger') }} as survey_trigger,
        {{ row_defects([
            check_required('survey_id'),
            check_pattern('survey_id', 'SV_[A-Za-z0-9]+', '`SV_` followed by letters or digits'),
            check_required('survey_type'),
            check_accepted('survey_type', var('survey_types')),
            check_accepted('trigger', var('survey_triggers')),
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
