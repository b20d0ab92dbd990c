{#- Every identity link and how it was made: a rule's name, or Splink's match
    probability. One row per linked record; what analysts audit. -#}
with

rule_links as (
    select * from {{ ref('int_identity_rule_links') }}
),

probabilistic_links as (
    select * from {{ ref('int_identity_probabilistic_links') }}
),

final as (
    select
        record_type,
        record_id,
        customer_id,
        link_rule,
        cast(null as double) as match_probability
    from rule_links
    union all
    select
        'support_user' as record_type,
        record_id,
        customer_id,
        'splink_name_phone_email' as link_rule,
        match_probability
    from probabilistic_links
)

select * from final
