{#- Help-desk performance by UTC month of ticket creation and channel, plus
    channel `all`, on the dense month x channel grid of the tickets' span (a
    channel without tickets in a month is a row with zero tickets). Rates carry
    their n and Wilson 95% interval. -#}
with

tickets as (
    select * from {{ ref('fct_support_tickets') }}
),

months as (
    select * from {{ observed_months('tickets', 'created_at') }}
),

channels as (
    select unnest({{ var('ticket_channels') + ['all'] }}) as channel
),

grid as (
    select
        months.month,
        months.is_partial_period,
        channels.channel
    from months
    cross join channels
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

filled as (
    select
        grid.month,
        grid.channel,
        grid.is_partial_period,
        coalesce(monthly.tickets, 0) as tickets,
        coalesce(monthly.solved_tickets, 0) as solved_tickets,
        monthly.median_first_reply_minutes,
        monthly.median_full_resolution_minutes,
        coalesce(monthly.reopened_tickets, 0) as reopened_tickets,
        coalesce(monthly.one_touch_tickets, 0) as one_touch_tickets,
        coalesce(monthly.good_ratings, 0) as good_ratings,
        coalesce(monthly.bad_ratings, 0) as bad_ratings
    from grid
    left join monthly on grid.month = monthly.month and grid.channel = monthly.channel
),

final as (
    select
        month,
        channel,
        is_partial_period,
        tickets,
        solved_tickets,
        median_first_reply_minutes,
        median_full_resolution_minutes,
        reopened_tickets,
        one_touch_tickets,
        {{ rate_columns('one_touch_rate', 'one_touch_tickets', 'solved_tickets') }},
        good_ratings,
        bad_ratings,
        {{ rate_columns('helpdesk_csat', 'good_ratings', 'good_ratings + bad_ratings') }}
    from filled
)

select * from final
