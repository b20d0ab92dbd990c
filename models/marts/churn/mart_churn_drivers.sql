{#- Per experience driver: did customers exposed to it lapse more often than
    those who were not? The cohort is every customer with a completed order in
    the 90 days before the cut date (the status date minus `churn_lapsed_days`);
    exposure is their experience in those same 90 days, and the outcome is
    `churn_status = 'lapsed'` at the status date, so exposure comes before
    the period that decides the outcome. Each lapse rate with its n and Wilson
    interval, the relative risk with its log-method interval. One row per
    driver, also without data. -#}
{%- set drivers = [
    ('support_contact', 'ticket_exposure.has_ticket'),
    ('slow_first_reply', 'ticket_exposure.has_slow_first_reply'),
    ('reopened_ticket', 'ticket_exposure.has_reopened_ticket'),
    ('bad_rating', 'ticket_exposure.has_bad_rating'),
    ('nps_detractor', 'survey_exposure.has_nps_detractor'),
    ('negative_verbatim', 'survey_exposure.has_negative_verbatim'),
] %}
with

churn as (
    select * from {{ ref('fct_customer_churn') }}
),

orders as (
    select * from {{ ref('int_orders_converted') }}
),

tickets as (
    select * from {{ ref('fct_support_tickets') }}
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

exposure_window as (
    select
        max(status_date) as status_date,
        max(status_date) - {{ var('churn_lapsed_days') }} as cut_date,
        max(status_date)
        - {{ var('churn_lapsed_days') }}
        - {{ churn_experience_days() }}
        + 1 as window_start_date
    from churn
),

cohort as (
    select distinct
        churn.customer_id,
        churn.churn_status = 'lapsed' as is_lapsed
    from churn
    inner join orders on churn.customer_id = orders.customer_id
    cross join exposure_window
    where
        orders.is_completed
        and orders.order_date between exposure_window.window_start_date and exposure_window.cut_date
),

ticket_exposure as (
    select
        tickets.customer_id,
        true as has_ticket,
        bool_or({{ is_slow_first_reply('tickets.first_reply_minutes') }}) as has_slow_first_reply,
        bool_or(tickets.reopens > 0) as has_reopened_ticket,
        bool_or(tickets.satisfaction_rating = 'bad') as has_bad_rating
    from tickets
    cross join exposure_window
    where
        tickets.created_at >= cast(exposure_window.window_start_date as timestamp)
        and tickets.created_at < cast(exposure_window.cut_date + 1 as timestamp)
    group by tickets.customer_id
),

survey_exposure as (
    select
        responses.customer_id,
        bool_or(responses.nps_category = 'detractor') as has_nps_detractor,
        bool_or(responses.comment_sentiment_label = 'negative') as has_negative_verbatim
    from responses
    cross join exposure_window
    where
        responses.responded_at >= cast(exposure_window.window_start_date as timestamp)
        and responses.responded_at < cast(exposure_window.cut_date + 1 as timestamp)
    group by responses.customer_id
),

exposed as (
    select
        cohort.customer_id,
        cohort.is_lapsed,
        unnest([
            {%- for driver, flag in drivers %}
                {
                    'driver': '{{ driver }}', 'is_exposed': coalesce({{ flag }}, false)
                }{{ ',' if not loop.last }}
            {%- endfor %}
        ]) as exposure
    from cohort
    left join ticket_exposure on cohort.customer_id = ticket_exposure.customer_id
    left join survey_exposure on cohort.customer_id = survey_exposure.customer_id
),

counted as (
    select
        exposure.driver,
        count(*) filter (where exposure.is_exposed) as customers_exposed,
        count(*) filter (where exposure.is_exposed and is_lapsed) as lapsed_exposed,
        count(*) filter (where not exposure.is_exposed) as customers_not_exposed,
        count(*) filter (where not exposure.is_exposed and is_lapsed) as lapsed_not_exposed
    from exposed
    group by exposure.driver
),

driver_names as (
    select
        unnest({{ drivers | map('first') | list }}) as driver,
        unnest(range(1, {{ drivers | length + 1 }})) as driver_order
),

filled as (
    select
        driver_names.driver,
        driver_names.driver_order,
        coalesce(counted.customers_exposed, 0) as customers_exposed,
        coalesce(counted.lapsed_exposed, 0) as lapsed_exposed,
        coalesce(counted.customers_not_exposed, 0) as customers_not_exposed,
        coalesce(counted.lapsed_not_exposed, 0) as lapsed_not_exposed
    from driver_names
    left join counted on driver_names.driver = counted.driver
),

final as (
    select
        filled.driver,
        cast(filled.driver_order as integer) as driver_order,
        exposure_window.window_start_date as exposure_window_start_date,
        exposure_window.cut_date as exposure_window_end_date,
        exposure_window.status_date,
        filled.customers_exposed + filled.customers_not_exposed as customers,
        filled.customers_exposed,
        filled.lapsed_exposed,
        filled.customers_not_exposed,
        filled.lapsed_not_exposed,
        {{ rate_columns('lapse_rate_exposed', 'filled.lapsed_exposed', 'filled.customers_exposed') }},
        {{ rate_columns(
            'lapse_rate_not_exposed', 'filled.lapsed_not_exposed', 'filled.customers_not_exposed'
        ) }},
        {{ relative_risk_columns(
            'relative_risk',
            'filled.lapsed_exposed',
            'filled.customers_exposed',
            'filled.lapsed_not_exposed',
            'filled.customers_not_exposed'
        ) }}
    from filled
    cross join exposure_window
)

select * from final
