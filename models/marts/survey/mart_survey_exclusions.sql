{#- Every survey response line that does not count, by reason: staged ones
    the metric definitions set aside, and lines quarantined in staging. -#}
with

responses as (
    select * from {{ ref('int_survey_responses_classified') }}
),

quarantined as (
    select * from {{ ref('quarantined_rows') }}
    where extract_name = 'survey/responses'
),

surveys as (
    select * from {{ ref('stg_survey__surveys') }}
),

set_aside as (
    select
        coalesce(survey_type, 'unknown') as survey_type,
        exclusion_reason as reason,
        count(*) as responses
    from responses
    where exclusion_reason is not null
    group by all
),

quarantined_lines as (
    -- one reason per line: its first defect
    select
        coalesce(surveys.survey_type, 'unknown') as survey_type,
        'quarantined: ' || quarantined.reason || ' ' || quarantined.column_name as reason,
        count(*) as responses
    from quarantined
    left join surveys on quarantined.raw_row ->> 'survey_id' = surveys.survey_id
    where quarantined.defect_number = 1
    group by all
),

final as (
    select * from set_aside
    union all
    select * from quarantined_lines
)

select * from final
