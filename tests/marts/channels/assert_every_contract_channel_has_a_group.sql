-- Every channel value the contract allows (the dbt vars staging checks) has a
-- row in seeds/lookups/channel_groups.csv, before any touchpoint carries it.
-- Returns the source system and channel of each value without one.
{{ config(severity='error', store_failures=true, schema='audit', alias='ungrouped_contract_channels') }}
{%- set contract_channels = [] -%}
{%- for variable, source_system in [
    ('activity_channels', 'crm'),
    ('order_channels', 'crm'),
    ('ticket_channels', 'support'),
    ('distribution_channels', 'survey'),
    ('review_platforms', 'reviews'),
] -%}
    {%- for channel in var(variable) -%}
        {%- do contract_channels.append((source_system, channel)) -%}
    {%- endfor -%}
{%- endfor %}
with

channel_groups as (
    select * from {{ ref('channel_groups') }}
),

contract_channels as (
    select distinct
        allowed.source_system,
        allowed.channel
    from (
        values
        {%- for source_system, channel in contract_channels %}
            ({{ string_literal(source_system) }}, {{ string_literal(channel) }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as allowed (source_system, channel)
),

ungrouped as (
    select
        contract_channels.source_system,
        contract_channels.channel
    from contract_channels
    left join channel_groups
        on
            contract_channels.source_system = channel_groups.source_system
            and contract_channels.channel = channel_groups.channel
    where channel_groups.channel_group is null
)

select * from ungrouped
