{#- Does a better experience mean more value? Per experience and group (NPS
    category, survey CSAT band, CES band, support contact, slow first reply,
    reopened ticket, help-desk rating): the customers whose FIRST experience of
    that kind fell in the group, and what they did in the 90 and 365 days AFTER
    it (completed orders, revenue, retention), counted only for customers whose
    window ends by the data's end; plus their predicted 12-month CLV. Means
    with their t interval, retention with its Wilson interval. One row per
    experience and group, also without data. -#}
{%- set groups = [
    ('nps_category', ['promoter', 'passive', 'detractor']),
    ('csat_band', ['satisfied', 'neutral', 'dissatisfied']),
    ('ces_band', ['easy', 'neutral', 'difficult']),
    ('support_contact', ['contacted']),
    ('first_reply', ['on_time', 'slow']),
    ('reopen', ['not_reopened', 'reopened']),
    ('helpdesk_rating', ['good', 'bad']),
] %}
with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

tickets as (
    select * from {{ ref('fct_support_tickets') }}
),

orders as (
    select * from {{ ref('int_orders_converted') }}
),

customer_value as (
    select * from {{ ref('fct_customer_value') }}
),

grid as (
    select unnest([
        {%- for experience, values in groups %}
            {%- set experience_loop = loop %}
            {%- for value in values %}
                {
                    'experience': '{{ experience }}',
                    'experience_group': '{{ value }}',
                    'group_order': {{ experience_loop.index * 10 + loop.index }}
                }{{ ',' if not (experience_loop.last and loop.last) }}
            {%- endfor %}
        {%- endfor %}
    ], recursive := true)
),

survey_experiences as (
    select
        customer_id,
        response_id as experience_id,
        responded_at as experienced_at,
        unnest([
            { 'experience': 'nps_category', 'experience_group': nps_category },
            {
                'experience': 'csat_band',
                'experience_group': case
                    when csat_score >= 4 then 'satisfied'
                    when csat_score = 3 then 'neutral'
                    when csat_score <= 2 then 'dissatisfied'
                end
            },
            {
                'experience': 'ces_band',
                'experience_group': case
                    when ces_score >= 5 then 'easy'
                    when ces_score = 4 then 'neutral'
                    when ces_score <= 3 then 'difficult'
                end
            }
        ]) as experience
    from responses
    where customer_id is not null
),

ticket_experiences as (
    select
        customer_id,
        ticket_id::varchar as experience_id,
        created_at as experienced_at,
        unnest([
            { 'experience': 'support_contact', 'experience_group': 'contacted' },
            {
                'experience': 'first_reply',
                'experience_group': case
                    when first_reply_minutes is null then null
                    when {{ is_slow_first_reply('first_reply_minutes') }} then 'slow'
                    else 'on_time'
                end
            },
            {
                'experience': 'reopen',
                'experience_group': case when reopens > 0 then 'reopened' else 'not_reopened' end
            },
            {
                'experience': 'helpdesk_rating',
                'experience_group': case
                    when satisfaction_rating in ('good', 'bad') then satisfaction_rating
                end
            }
        ]) as experience
    from tickets
    where customer_id is not null
),

experiences as (
    select
        customer_id,
        experience_id,
        experienced_at,
        experience.experience,
        experience.experience_group
    from survey_experiences
    where experience.experience_group is not null
    union all
    select
        customer_id,
        experience_id,
        experienced_at,
        experience.experience,
        experience.experience_group
    from ticket_experiences
    where experience.experience_group is not null
),

first_experiences as (
    -- a customer's first experience of each kind decides their group (ties: smaller id)
    select
        customer_id,
        experience,
        arg_min(experience_group, (experienced_at, experience_id)) as experience_group,
        min(experienced_at) as experienced_at
    from experiences
    group by customer_id, experience
),

completed_orders as (
    select * from orders
    where is_completed and customer_id is not null
),

data_end as (
    -- the latest order of any status: the orders extract observes nothing after it
    select max(ordered_at) as data_end_at
    from orders
),

outcomes as (
    select
        first_experiences.customer_id,
        first_experiences.experience,
        first_experiences.experience_group,
        first_experiences.experienced_at + interval 90 day <= data_end.data_end_at as is_observed_90d,
        first_experiences.experienced_at + interval 365 day <= data_end.data_end_at as is_observed_365d,
        count(completed_orders.order_id) filter (
            where completed_orders.ordered_at <= first_experiences.experienced_at + interval 90 day
        ) as orders_90d,
        coalesce(sum(completed_orders.amount_usd) filter (
            where completed_orders.ordered_at <= first_experiences.experienced_at + interval 90 day
        ), 0) as revenue_90d_usd,
        count(completed_orders.order_id) filter (
            where completed_orders.ordered_at <= first_experiences.experienced_at + interval 365 day
        ) as orders_365d,
        coalesce(sum(completed_orders.amount_usd) filter (
            where completed_orders.ordered_at <= first_experiences.experienced_at + interval 365 day
        ), 0) as revenue_365d_usd
    from first_experiences
    cross join data_end
    left join completed_orders
        on
            first_experiences.customer_id = completed_orders.customer_id
            and first_experiences.experienced_at < completed_orders.ordered_at
    group by all
),

customer_outcomes as (
    select
        outcomes.customer_id,
        outcomes.experience,
        outcomes.experience_group,
        coalesce(outcomes.is_observed_90d, false) as is_observed_90d,
        coalesce(outcomes.is_observed_365d, false) as is_observed_365d,
        case when outcomes.is_observed_90d then outcomes.orders_90d end as orders_90d,
        case when outcomes.is_observed_90d then outcomes.revenue_90d_usd end as revenue_90d_usd,
        case when outcomes.is_observed_90d then outcomes.orders_90d > 0 end as is_retained_90d,
        case when outcomes.is_observed_365d then outcomes.orders_365d end as orders_365d,
        case when outcomes.is_observed_365d then outcomes.revenue_365d_usd end as revenue_365d_usd,
        case when outcomes.is_observed_365d then outcomes.orders_365d > 0 end as is_retained_365d,
        customer_value.predicted_clv_12m_usd
    from outcomes
    left join customer_value on outcomes.customer_id = customer_value.customer_id
),

final as (
    select
        grid.experience,
        grid.experience_group,
        grid.group_order::integer as group_order,
        count(customer_outcomes.customer_id) as customers,
        count(*) filter (where customer_outcomes.is_observed_90d) as customers_observed_90d,
        count(*) filter (where not customer_outcomes.is_observed_90d) as customers_unobserved_90d,
        {{ mean_columns('orders_per_customer_90d', 'customer_outcomes.orders_90d') }},
        {{ mean_columns('revenue_per_customer_90d_usd', 'customer_outcomes.revenue_90d_usd') }},
        {{ rate_columns(
            'retention_90d',
            'count(*) filter (where customer_outcomes.is_retained_90d)',
            'count(customer_outcomes.is_retained_90d)'
        ) }},
        count(*) filter (where customer_outcomes.is_observed_365d) as customers_observed_365d,
        count(*) filter (where not customer_outcomes.is_observed_365d) as customers_unobserved_365d,
        {{ mean_columns('orders_per_customer_365d', 'customer_outcomes.orders_365d') }},
        {{ mean_columns('revenue_per_customer_365d_usd', 'customer_outcomes.revenue_365d_usd') }},
        {{ rate_columns(
            'retention_365d',
            'count(*) filter (where customer_outcomes.is_retained_365d)',
            'count(customer_outcomes.is_retained_365d)'
        ) }},
        {{ mean_columns('predicted_clv_12m_per_customer_usd', 'customer_outcomes.predicted_clv_12m_usd') }}
    from grid
    left join customer_outcomes
        on
            grid.experience = customer_outcomes.experience
            and grid.experience_group = customer_outcomes.experience_group
    group by grid.experience, grid.experience_group, grid.group_order
)

select * from final
