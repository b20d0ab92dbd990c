{#- One row per help-desk agent or admin, with the team support operations
    gave them (seed lookups/agent_teams); an agent without one is in the
    `unassigned_team` var's team, never dropped. -#}
with

users as (
    select * from {{ ref('stg_support__users') }}
),

agent_teams as (
    select * from {{ ref('agent_teams') }}
),

final as (
    select
        users.user_id as agent_id,
        users.user_name as agent_name,
        users.user_role as agent_role,
        coalesce(agent_teams.team, '{{ var("unassigned_team") }}') as team,
        agent_teams.team is not null as has_team,
        users.created_at
    from users
    left join agent_teams on users.user_id = agent_teams.agent_id
    where users.is_staff
)

select * from final
