{#-
    How customers move between channel groups within their journeys
    (DECISIONLOG.md, "Channel transitions"). A customer's touchpoints, all of
    them, are put in one order: by time, at the same moment by channel group
    and then by touchpoint id, so the order never depends on how the data
    was read, and touches of one group at one moment stay together. Touches
    in a row in the same group are one stay in that group: a transition is a
    change of group between two consecutive touchpoints, never a repeat.
    `customer_share` is the share of the customers who ever left the from
    group whose journey made this move at least once.
-#}
with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
    where customer_id is not null
),

ordered_touchpoints as (
    select
        customer_id,
        channel_group,
        lag(channel_group) over (
            partition by customer_id
            order by occurred_at, channel_group, touchpoint_id
        ) as previous_channel_group
    from touchpoints
),

transitions as (
    select
        customer_id,
        previous_channel_group as from_channel_group,
        channel_group as to_channel_group
    from ordered_touchpoints
    where previous_channel_group is not null and previous_channel_group != channel_group
),

customers_leaving as (
    select
        from_channel_group,
        count(distinct customer_id) as customers_leaving_group
    from transitions
    group by from_channel_group
),

transition_counts as (
    select
        from_channel_group,
        to_channel_group,
        count(*) as transitions,
        count(distinct customer_id) as customers
    from transitions
    group by from_channel_group, to_channel_group
),

final as (
    select
        transition_counts.from_channel_group,
        transition_counts.to_channel_group,
        transition_counts.customers::bigint as customers,
        transition_counts.transitions::bigint as transitions,
        {{ rate_columns(
            'customer_share',
            'transition_counts.customers',
            'customers_leaving.customers_leaving_group'
        ) }}
    from transition_counts
    inner join customers_leaving
        on transition_counts.from_channel_group = customers_leaving.from_channel_group
)

select * from final
