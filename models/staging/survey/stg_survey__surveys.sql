{#- One row per survey definition. -#}
with

surveys as not materialized (
    select * from {{ ref('base_survey__surveys') }}
),

usable as (
    {{ kept_lines('surveys', 'survey/surveys') }}
),

final as (
    select
        survey_id,
        survey_name,
        survey_type,
        survey_trigger
    from usable
)

select * from final
