{#- One row per contact: the latest export line (by updated_at) without defects;
    none when the latest lines differ (they are quarantined). -#}
with

contacts as not materialized (
    select * from {{ ref('base_crm__contacts') }}
),

latest_line as (
    {{ kept_lines('contacts', 'crm/contacts') }}
),

final as (
    select
        contact_id,
        email,
        first_name,
        last_name,
        phone_raw,
        phone,
        country_code,
        segment,
        acquisition_channel,
        lifecycle_stage,
        created_at,
        updated_at,
        is_deleted
    from latest_line
)

select * from final
