{#- NPS of customers exposed to each support driver in the 30 days before
    answering, against those not exposed, with n and the 95% interval. -#}
with

drivers as (
    select * from {{ ref('mart_nps_drivers') }}
),

exposures as (
    select 'support_contact' as driver, had_support_contact_30d as is_exposed, nps_category from drivers
    union all
    select 'slow_first_reply', had_slow_first_reply_30d, nps_category from drivers
    union all
    select 'reopened_ticket', had_reopened_ticket_30d, nps_category from drivers
    union all
    select 'bad_satisfaction_rating', had_bad_rating_30d, nps_category from drivers
),

counted as (
    select
        driver,
        is_exposed,
        count(*) as responses,
        count(*) filter (where nps_category = 'promoter') as promoters,
        count(*) filter (where nps_category = 'passive') as passives,
        count(*) filter (where nps_category = 'detractor') as detractors
    from exposures
    group by driver, is_exposed
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
