{#- One row per survey definition. -#}
with

surveys as (
    select * from {{ ref('base_survey__surveys') }}
),

usable as (
    select * from surveys
    where len(_defects) = 0
    qualify {{ line_rank('survey_id', 'survey_name') }} = 1
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
