{#- Help-desk performance per team (dim_agents.team, `unassigned` included)
    and UTC month of ticket creation, on the dense month x team grid of the
    tickets' span, computed from the tickets themselves (medians do not add
    up from agents). NPS as in mart_agent_performance, a response counting
    once per team, in the month of the team's latest ticket of the
    respondent's before it (DECISIONLOG.md, "Agents and teams"). -#}
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

teams as (
    select
        team,
        count(*) as agents
    from agents
    group by team
),

grid as (
    select
        months.month,
        months.is_partial_period,
        teams.team,
        teams.agents
    from months
    cross join teams
),

team_tickets as (
    select
        tickets.*,
        agents.team,
        cast(date_trunc('month', tickets.created_at) as date) as month
    from tickets
    inner join agents on tickets.assignee_id = agents.agent_id
),

ticket_counts as (
    select
        month,
        team,
        count(distinct assignee_id) as agents_with_tickets,
        {{ ticket_performance_counts() }}
    from team_tickets
    group by month, team
),

nps_after_tickets as (
    -- one row per team and NPS response given in the window after one of the
    -- team's tickets of the same customer, in the month of the latest of them
    select
        team_tickets.team,
        responses.response_id,
        responses.survey_type,
        responses.nps_category,
        arg_max(team_tickets.month, team_tickets.created_at) as month
    from responses
    inner join team_tickets
        on
            responses.customer_id = team_tickets.customer_id
            and responses.responded_at > team_tickets.created_at
            and responses.responded_at - interval {{ var('agent_nps_window_days') }} day
            <= team_tickets.created_at
    where responses.nps_score is not null
    group by team_tickets.team, responses.response_id, responses.survey_type, responses.nps_category
),

nps_counted as (
    select
        month,
        team,
        survey_type,
        {{ nps_counts('nps_category') }}
    from nps_after_tickets
    group by month, team, survey_type
),

nps_wide as (
    -- one row per grid cell, each NPS survey type in columns of its own
    {{ nps_wide_by_survey_type('grid', 'nps_survey_types', 'nps_counted', ['month', 'team']) }}
),

filled as (
    select
        grid.month,
        grid.team,
        grid.is_partial_period,
        grid.agents,
        coalesce(ticket_counts.agents_with_tickets, 0) as agents_with_tickets,
        coalesce(ticket_counts.tickets_assigned, 0) as tickets_assigned,
        coalesce(ticket_counts.solved_tickets, 0) as solved_tickets,
        ticket_counts.median_first_reply_minutes,
        ticket_counts.median_full_resolution_minutes,
        coalesce(ticket_counts.reopened_tickets, 0) as reopened_tickets,
        coalesce(ticket_counts.one_touch_tickets, 0) as one_touch_tickets,
        coalesce(ticket_counts.good_ratings, 0) as good_ratings,
        coalesce(ticket_counts.bad_ratings, 0) as bad_ratings
    from grid
    left join ticket_counts on grid.month = ticket_counts.month and grid.team = ticket_counts.team
),

final as (
    select
        filled.month,
        filled.team,
        filled.is_partial_period,
        filled.agents,
        filled.agents_with_tickets,
        filled.tickets_assigned,
        filled.solved_tickets,
        filled.median_first_reply_minutes,
        filled.median_full_resolution_minutes,
        filled.one_touch_tickets,
        filled.reopened_tickets,
        filled.good_ratings,
        filled.bad_ratings,
        {{ ticket_performance_rates() }},
        nps_wide.* exclude (month, team)
    from filled
    inner join nps_wide on filled.month = nps_wide.month and filled.team = nps_wide.team
)

select * from final
