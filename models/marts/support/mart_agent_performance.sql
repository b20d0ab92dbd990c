{#- Help-desk performance per agent (dim_agents) and UTC month of ticket
    creation, on the dense month x agent grid of the tickets' span: an agent
    without tickets in a month is a row with zero tickets and null medians and
    rates. A ticket belongs to its assignee in the extract (the help desk
    exports the current assignee only). NPS: responses of each NPS survey type
    (never pooled) given within `agent_nps_window_days` after a ticket of the
    respondent's assigned to the agent; a response counts once per agent,
    in the month of the agent's latest such ticket (DECISIONLOG.md, "Agents
    and teams"). -#}
with

tickets as (
    select * from {{ ref('fct_support_tickets') }}
),

agents as (
    select * from {{ ref('dim_agents') }}
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

months as (
    select * from {{ observed_months('tickets', 'created_at') }}
),

nps_survey_types as (
    select unnest({{ var('nps_survey_types') }}) as survey_type
),

grid as (
    select
        months.month,
        months.is_partial_period,
        agents.agent_id,
        agents.agent_name,
        agents.team
    from months
    cross join agents
),

agent_tickets as (
    select
        tickets.*,
        tickets.assignee_id as agent_id,
        cast(date_trunc('month', tickets.created_at) as date) as month
    from tickets
    inner join agents on tickets.assignee_id = agents.agent_id
),

ticket_counts as (
    select
        month,
        agent_id,
        {{ ticket_performance_counts() }}
    from agent_tickets
    group by month, agent_id
),

nps_after_tickets as (
    -- one row per agent and NPS response given in the window after one of the
    -- agent's tickets of the same customer, in the month of the latest of them
    select
        agent_tickets.agent_id,
        responses.response_id,
        responses.survey_type,
        responses.nps_category,
        arg_max(agent_tickets.month, agent_tickets.created_at) as month
    from responses
    inner join agent_tickets
        on
            responses.customer_id = agent_tickets.customer_id
            and responses.responded_at > agent_tickets.created_at
            and responses.responded_at - interval {{ var('agent_nps_window_days') }} day
            <= agent_tickets.created_at
    where responses.nps_score is not null
    group by agent_tickets.agent_id, responses.response_id, responses.survey_type, responses.nps_category
),

nps_counted as (
    select
        month,
        agent_id,
        survey_type,
        {{ nps_counts('nps_category') }}
    from nps_after_tickets
    group by month, agent_id, survey_type
),

nps_wide as (
    -- one row per grid cell, each NPS survey type in columns of its own
    {{ nps_wide_by_survey_type('grid', 'nps_survey_types', 'nps_counted', ['month', 'agent_id']) }}
),

filled as (
    select
        grid.month,
        grid.agent_id,
        grid.agent_name,
        grid.team,
        grid.is_partial_period,
        coalesce(ticket_counts.tickets_assigned, 0) as tickets_assigned,
        coalesce(ticket_counts.solved_tickets, 0) as solved_tickets,
        ticket_counts.median_first_reply_minutes,
        ticket_counts.median_full_resolution_minutes,
        coalesce(ticket_counts.reopened_tickets, 0) as reopened_tickets,
        coalesce(ticket_counts.one_touch_tickets, 0) as one_touch_tickets,
        coalesce(ticket_counts.good_ratings, 0) as good_ratings,
        coalesce(ticket_counts.bad_ratings, 0) as bad_ratings
    from grid
    left join ticket_counts on grid.month = ticket_counts.month and grid.agent_id = ticket_counts.agent_id
),

final as (
    select
        filled.month,
        filled.agent_id,
        filled.agent_name,
        filled.team,
        filled.is_partial_period,
        filled.tickets_assigned,
        filled.solved_tickets,
        filled.median_first_reply_minutes,
        filled.median_full_resolution_minutes,
        filled.one_touch_tickets,
        filled.reopened_tickets,
        filled.good_ratings,
        filled.bad_ratings,
        {{ ticket_performance_rates() }},
        nps_wide.* exclude (month, agent_id)
    from filled
    inner join nps_wide on filled.month = nps_wide.month and filled.agent_id = nps_wide.agent_id
)

select * from final
