{#- One row per customer: a live CRM contact (latest export line, not deleted). -#}
with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

final as (
    select
        contact_id as customer_id,
        contact_id,
        email,
        first_name,
        last_name,
        phone,
        country_code,
        segment,
        acquisition_channel,
        lifecycle_stage,
        created_at
    from contacts
    where not is_deleted
)

select * from final
