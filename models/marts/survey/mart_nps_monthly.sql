{#- NPS by UTC month of the response's end date, the segment the customer had
    when answering (plus segment `all`) and NPS survey type, on the dense month
    x segment x survey type grid: a cell without responses is a row with zero
    responses and a null NPS. Responses not linked to a customer, or whose
    customer's version then was deleted or conflicting, count in `unknown`
    (DECISIONLOG.md, "History of customers"). Survey types are never pooled
    (DECISIONLOG.md, "NPS by survey type"). -#}
with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

months as (
    select * from {{ observed_months('responses', 'responded_at') }}
),

segments as (
    select unnest({{ var('segments') + ['unknown', 'all'] }}) as segment
),

nps_survey_types as (
    select unnest({{ var('nps_survey_types') }}) as survey_type
),

grid as (
    select
        months.month,
        months.is_partial_period,
        segments.segment,
        nps_survey_types.survey_type
    from months
    cross join segments
    cross join nps_survey_types
),

nps_responses as (
    -- each response counts under its segment and under `all`
    select
        responses.response_month as month,
        unnest([responses.segment_at_response, 'all']) as segment,
        responses.survey_type,
        responses.nps_category
    from responses
    where responses.nps_score is not null
),

counted as (
    select
        month,
        segment,
        survey_type,
        {{ nps_counts('nps_category') }}
    from nps_responses
    group by month, segment, survey_type
),

filled as (
    select
        grid.month,
        grid.segment,
        grid.survey_type,
        grid.is_partial_period,
        {{ nps_counts_or_zero('counted') }}
    from grid
    left join counted
        on
            grid.month = counted.month
            and grid.segment = counted.segment
            and grid.survey_type = counted.survey_type
),

final as (
    select
        month,
        segment,
        survey_type,
        is_partial_period,
        responses,
        promoters,
        passives,
        detractors,
        {{ nps_columns('promoters', 'detractors', 'responses') }},
        {{ is_small_sample('responses') }} as is_small_sample
    from filled
)

select * from final
