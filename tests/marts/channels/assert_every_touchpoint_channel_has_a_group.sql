-- Every channel a touchpoint carries has a row in seeds/lookups/channel_groups.csv.
-- A channel without one is kept as `unmapped` in `fct_touchpoints`; this test
-- fails the build and names it: in the build's log, and as one row per source
-- system and channel, with how many touchpoints carry it, kept in
-- audit.unmapped_touchpoint_channels.
{{ config(severity='error', store_failures=true, schema='audit', alias='unmapped_touchpoint_channels') }}
{%- set unmapped_channels -%}
    select
        source_system,
        coalesce(channel, '(no channel)') as channel,
        count(*) as touchpoints
    from {{ ref('fct_touchpoints') }}
    where channel_group = 'unmapped'
    group by all
    order by all
{%- endset -%}
{#- Named in the log too: dbt's failure message gives only the count. Only when
    the view exists (compiling without a build reads nothing). -#}
{%- if execute and load_relation(ref('fct_touchpoints')) is not none -%}
    {%- for row in run_query(unmapped_channels) -%}
        {%- do log(
            "Channel '" ~ row[1] ~ "' of source system '" ~ row[0] ~ "' (" ~ row[2]
            ~ " touchpoints) has no row in seeds/lookups/channel_groups.csv: its channel_group is 'unmapped'",
            info=True,
        ) -%}
    {%- endfor -%}
{%- endif %}
{{ unmapped_channels }}
