{#- Help-desk performance by UTC month of ticket creation and channel, plus
    channel `all`. -#}
with

tickets as (
    select * from {{ ref('fct_support_tickets') }}
),

tickets_by_channel as (
    -- each ticket counts under its channel and under `all`
    select
        cast(date_trunc('month', created_at) as date) as month,
        unnest([channel, 'all']) as channel,
        is_solved,
        first_reply_minutes,
        full_resolution_minutes,
        reopens,
        is_one_touch,
        satisfaction_rating
    from tickets
),

monthly as (
    select
        month,
        channel,
        count(*) as tickets,
        count(*) filter (where is_solved) as solved_tickets,
        median(first_reply_minutes) as median_first_reply_minutes,
        median(full_resolution_minutes) as median_full_resolution_minutes,
        count(*) filter (where reopens > 0) as reopened_tickets,
        count(*) filter (where is_one_touch) as one_touch_tickets,
        count(*) filter (where satisfaction_rating = 'good') as good_ratings,
        count(*) filter (where satisfaction_rating = 'bad') as bad_ratings
    from tickets_by_channel
    group by month, channel
),

final as (
    select
        month,
        channel,
        tickets,
        solved_tickets,
        median_first_reply_minutes,
        median_full_resolution_minutes,
        reopened_tickets,
        one_touch_tickets,
        {{ safe_ratio('one_touch_tickets', 'solved_tickets') }} as one_touch_rate,
        good_ratings,
        bad_ratings,
        {{ safe_ratio('good_ratings', 'good_ratings + bad_ratings') }} as csat
    from monthly
)

select * from final
