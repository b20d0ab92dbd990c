{#- How each customer looked over time: one row per customer and version, valid
    from the version's `updated_at` until the next version's (DECISIONLOG.md,
    "History of customers"). The versions are those the typed export lines hold
    (every line of a delta folder, ordered by `updated_at`) together with those
    the snapshot `snapshot_crm__contacts` kept at earlier builds (the lines a
    replaced snapshot file no longer holds). A moment at which two versions
    disagree is a conflicting version; a version deleted in the CRM is a
    deleted version: neither carries attributes, so neither reaches a mart.
    Only customers (live contacts now) have a history. -#}
with

contact_versions as (
    select * from {{ ref('stg_crm__contact_versions') }}
),

snapshotted_versions as (
    select * from {{ ref('snapshot_crm__contacts') }}
),

customers as (
    select * from {{ ref('int_customers') }}
),

versions as (
    -- `union` (not `union all`): a version both in the lines and the snapshot is one
    select
        {{ contact_version_columns() }}
    from contact_versions
    union
    select
        {{ contact_version_columns() }}
    from snapshotted_versions
),

versions_per_moment as (
    select
        contact_id,
        updated_at as valid_from,
        count(*) > 1 as has_conflicting_lines,
        any_value(segment) as segment,
        any_value(lifecycle_stage) as lifecycle_stage,
        any_value(country_code) as country_code,
        any_value(email) as email,
        bool_or(is_deleted) as is_deleted
    from versions
    group by contact_id, updated_at
),

dated as (
    select
        customers.customer_id,
        versions_per_moment.valid_from,
        lead(versions_per_moment.valid_from) over (
            partition by customers.customer_id order by versions_per_moment.valid_from
        ) as valid_to,
        row_number() over (
            partition by customers.customer_id order by versions_per_moment.valid_from
        ) as version_number,
        versions_per_moment.has_conflicting_lines,
        versions_per_moment.is_deleted and not versions_per_moment.has_conflicting_lines
            as is_deleted_version,
        not versions_per_moment.has_conflicting_lines and not versions_per_moment.is_deleted
            as is_usable_version,
        versions_per_moment.segment,
        versions_per_moment.lifecycle_stage,
        versions_per_moment.country_code,
        versions_per_moment.email
    from versions_per_moment
    inner join customers on versions_per_moment.contact_id = customers.contact_id
),

final as (
    select
        customer_id,
        version_number,
        valid_from,
        valid_to,
        valid_to is null as is_current_version,
        has_conflicting_lines,
        is_deleted_version,
        case when is_usable_version then segment end as segment,
        case when is_usable_version then lifecycle_stage end as lifecycle_stage,
        case when is_usable_version then country_code end as country_code,
        case when is_usable_version then email end as email
    from dated
)

select * from final
