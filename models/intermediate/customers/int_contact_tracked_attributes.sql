{#- Each staged contact's current tracked attributes (segment, lifecycle
    stage, country, email, deletion) and the `updated_at` of its latest export
    line: what the snapshot `snapshot_crm__contacts` keeps at every build. -#}
{{ config(materialized='ephemeral') }}

with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

final as (
    select
        {{ contact_version_columns() }}
    from contacts
)

select * from final
