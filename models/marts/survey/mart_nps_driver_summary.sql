{#- NPS of customers exposed to each support driver in the 30 days before
    answering, against those not exposed, with n and the 95% interval. -#}
with

drivers as (
    select * from {{ ref('mart_nps_drivers') }}
),

exposures as (
    select
        nps_category,
        unnest([
            { 'driver': 'support_contact', 'is_exposed': had_support_contact_30d },
            { 'driver': 'slow_first_reply', 'is_exposed': had_slow_first_reply_30d },
            { 'driver': 'reopened_ticket', 'is_exposed': had_reopened_ticket_30d },
            { 'driver': 'bad_satisfaction_rating', 'is_exposed': had_bad_rating_30d }
        ]) as exposure
    from drivers
),

counted as (
    select
        exposure.driver,
        exposure.is_exposed,
        count(*) as responses,
        count(*) filter (where nps_category = 'promoter') as promoters,
        count(*) filter (where nps_category = 'passive') as passives,
        count(*) filter (where nps_category = 'detractor') as detractors
    from exposures
    group by exposure.driver, exposure.is_exposed
),

final as (
    select
        driver,
        is_exposed,
        responses,
        promoters,
        passives,
        detractors,
        {{ nps_columns('promoters', 'detractors', 'responses') }}
    from counted
)

select * from final
