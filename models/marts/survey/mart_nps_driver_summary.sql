{#- NPS of customers exposed to each support driver in the 30 days before
    answering, against those not exposed, by NPS survey type (never pooled),
    with n and the 95% interval. Every driver x exposure x survey type row is
    there, with zero responses and a null NPS when nobody answered. -#}
{%- set drivers = [
    ('support_contact', 'had_support_contact_30d'),
    ('slow_first_reply', 'had_slow_first_reply_30d'),
    ('reopened_ticket', 'had_reopened_ticket_30d'),
    ('bad_satisfaction_rating', 'had_bad_rating_30d'),
] %}
with

drivers as (
    select * from {{ ref('mart_nps_drivers') }}
),

nps_survey_types as (
    select unnest({{ var('nps_survey_types') }}) as survey_type
),

driver_names as (
    select unnest({{ drivers | map('first') | list }}) as driver
),

exposure_values as (
    select unnest([false, true]) as is_exposed
),

grid as (
    select
        driver_names.driver,
        exposure_values.is_exposed,
        nps_survey_types.survey_type
    from driver_names
    cross join exposure_values
    cross join nps_survey_types
),

exposures as (
    select
        survey_type,
        nps_category,
        unnest([
            {%- for driver, flag in drivers %}
                { 'driver': '{{ driver }}', 'is_exposed': {{ flag }} }{{ ',' if not loop.last }}
            {%- endfor %}
        ]) as exposure
    from drivers
),

counted as (
    select
        exposure.driver,
        exposure.is_exposed,
        survey_type,
        {{ nps_counts('nps_category') }}
    from exposures
    group by exposure.driver, exposure.is_exposed, survey_type
),

filled as (
    select
        grid.driver,
        grid.is_exposed,
        grid.survey_type,
        {{ nps_counts_or_zero('counted') }}
    from grid
    left join counted
        on
            grid.driver = counted.driver
            and grid.is_exposed = counted.is_exposed
            and grid.survey_type = counted.survey_type
),

final as (
    select
        driver,
        is_exposed,
        survey_type,
        responses,
        promoters,
        passives,
        detractors,
        {{ nps_columns('promoters', 'detractors', 'responses') }},
        {{ is_small_sample('responses') }} as is_small_sample
    from filled
)

select * from final
