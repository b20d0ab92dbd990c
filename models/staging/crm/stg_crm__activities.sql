{#- One row per activity; anonymous rows (no contact_id) are kept. -#}
with

activities as not materialized (
    select * from {{ ref('base_crm__activities') }}
),

usable as (
    {{ kept_lines('activities', 'crm/activities') }}
),

final as (
    select
        activity_id,
        contact_id,
        anonymous_id,
        email,
        activity_type,
        channel,
        campaign,
        occurred_at,
        contact_id is not null and anonymous_id is not null as is_identify
    from usable
)

select * from final
