{#- The tickets an incremental build of `fct_support_tickets` recomputes (see
    macros/incremental.sql): created or updated inside the window, with an
    audit-log event inside it, or whose requester's identity link changed. -#}
{% macro tickets_to_recompute() %}
    {%- set since = incremental_since('created_at') -%}
    select ticket_id from {{ ref('stg_support__tickets') }}
    where
        created_at >= {{ since }}
        or updated_at >= {{ since }}
        or requester_id::varchar in ({{ changed_identity_records('support_user') }})
    union
    select ticket_id from {{ ref('stg_support__ticket_events') }}
    where created_at >= {{ since }}
{% endmacro %}
