{#-
    Which source records an incremental build of `int_touchpoints_unioned`
    recomputes (see macros/incremental.sql): a SQL condition per source,
    evaluated once per run by the model's pre-hook. On a full build every
    record qualifies.
-#}
{% macro touchpoint_changes(source) %}
    {%- if not is_incremental() -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set since = incremental_since('occurred_at') -%}
    {%- set changed_contacts = 'select contact_id from ' ~ ref('stg_crm__contacts') ~ ' where updated_at >= ' ~ since -%}
    {%- set changed_users = 'select user_id from ' ~ ref('stg_support__users') ~ ' where created_at >= ' ~ since
        ~ ' or external_contact_id in (' ~ changed_contacts ~ ')' -%}
    {%- set changed_tickets = 'select ticket_id from ' ~ ref('stg_support__tickets') ~ ' where created_at >= '
        ~ since ~ ' or updated_at >= ' ~ since
        ~ ' or requester_id::varchar in (' ~ changed_identity_records('support_user') ~ ')'
        ~ ' or requester_id in (' ~ changed_users ~ ')' -%}
    {#- Unqualified: each condition filters one table, the import CTE's. -#}
    {%- set conditions = {
        'activities': [
            'occurred_at >= ' ~ since,
            'contact_id in (' ~ changed_contacts ~ ')',
            'anonymous_id in (' ~ changed_identity_records('anonymous_id') ~ ')',
            'email in (' ~ changed_identity_records('email_address') ~ ')',
        ],
        'orders': [
            'ordered_at >= ' ~ since,
            'refunded_at >= ' ~ since,
            'contact_id in (' ~ changed_contacts ~ ')',
        ],
        'tickets': ['ticket_id in (' ~ changed_tickets ~ ')'],
        'ticket_events': [
            'created_at >= ' ~ since,
            'ticket_id in (' ~ changed_tickets ~ ')',
            'author_id in (' ~ changed_users ~ ')',
        ],
        'responses': [
            'recorded_at >= ' ~ since,
            'ended_at >= ' ~ since,
            'response_id in (' ~ changed_identity_records('survey_response') ~ ')',
            'contact_ref in (' ~ changed_contacts ~ ')',
        ],
    } -%}
    {{ return('(' ~ conditions[source] | join('\n        or ') ~ ')') }}
{% endmacro %}


{#- Where an incremental run keeps the records it recomputes: written once by
    the pre-hook, read by its delete and by the model (deciding them compares
    every identity link with the applied copy: once per run, not three times). -#}
{% macro touchpoint_recompute_keys_relation() %}
    {{ return(incremental_state_relation('int_touchpoints_unioned__recompute_keys')) }}
{% endmacro %}


{#- The model's filter on one source: the records the pre-hook chose. -#}
{% macro recomputed_touchpoint_records(source, id_column) %}
    {%- if not is_incremental() -%}
        {{ return('true') }}
    {%- endif -%}
    {{ return(id_column ~ '::varchar in (select record_id from ' ~ touchpoint_recompute_keys_relation()
        ~ ' where source = ' ~ string_literal(source) ~ ')') }}
{% endmacro %}


{#- The records an incremental build recomputes, with their touchpoint ids. -#}
{% macro touchpoints_to_recompute() %}
    select 'activities' as source, activity_id as record_id, 'crm_activity:' || activity_id as touchpoint_id
    from {{ ref('stg_crm__activities') }}
    where {{ touchpoint_changes('activities') }}
    union all
    select 'orders', order_id, 'crm_order:' || order_id from {{ ref('stg_crm__orders') }}
    where {{ touchpoint_changes('orders') }}
    union all
    select 'tickets', ticket_id::varchar, 'support_ticket:' || ticket_id from {{ ref('stg_support__tickets') }}
    where {{ touchpoint_changes('tickets') }}
    union all
    select 'ticket_events', event_id::varchar, 'support_reply:' || event_id
    from {{ ref('stg_support__ticket_events') }}
    where {{ touchpoint_changes('ticket_events') }}
    union all
    select 'responses', response_id, 'survey_response:' || response_id
    from {{ ref('int_survey_responses_classified') }}
    where {{ touchpoint_changes('responses') }}
{% endmacro %}


{#- Pre-hook of `int_touchpoints_unioned`: choose the records to recompute, log
    the customers of their touchpoints (some will not come back: deleted, moved
    to someone else), then delete those touchpoints. The journeys rebuild those
    customers. -#}
{% macro replace_recomputed_touchpoints() %}
    {%- set removed = removed_touchpoints_relation() -%}
    {%- if is_incremental() -%}
        {%- set keys = touchpoint_recompute_keys_relation() -%}
        create or replace table {{ keys }} as
        {{ touchpoints_to_recompute() }};
        create table if not exists {{ removed }} (customer_id varchar, removed_at timestamptz);
        insert into {{ removed }}
        select distinct customer_id, cast('{{ run_started_at.isoformat() }}' as timestamptz)
        from {{ this }}
        where customer_id is not null and touchpoint_id in (select touchpoint_id from {{ keys }});
        delete from {{ this }} where touchpoint_id in (select touchpoint_id from {{ keys }})
    {%- else -%}
        create or replace table {{ removed }} (customer_id varchar, removed_at timestamptz)
    {%- endif -%}
{% endmacro %}


{% macro removed_touchpoints_relation() %}
    {{ return(incremental_state_relation('int_touchpoints_unioned__removed_customers')) }}
{% endmacro %}


{#- The customers whose journeys an incremental build recomputes: those with a
    touchpoint written or removed since the journeys last read the touchpoints
    (by this run, or by one whose journeys never ran: the watermark is the
    journeys' own). -#}
{% macro journeys_to_recompute() %}
    {%- set touchpoints = ref('int_touchpoints_unioned') -%}
    {%- set consumed = consumed_touchpoints_relation() -%}
    {%- set removed = removed_touchpoints_relation() -%}
    {%- if load_relation(consumed) is none or load_relation(removed) is none -%}
        select customer_id from {{ touchpoints }}
        union
        select customer_id from {{ this }}
    {%- else -%}
        {%- set since = '(select coalesce(max(consumed_through), timestamptz \'-infinity\') from ' ~ consumed ~ ')' -%}
        select customer_id from {{ touchpoints }}
        where customer_id is not null and batched_at > {{ since }}
        union
        select customer_id from {{ removed }}
        where removed_at > {{ since }}
    {%- endif -%}
{% endmacro %}


{#- Where the journeys remember up to which touchpoint batch they have read. -#}
{% macro consumed_touchpoints_relation() %}
    {{ return(incremental_state_relation(this.identifier ~ '__consumed_touchpoints')) }}
{% endmacro %}


{#- Post-hook of the journeys: they have read every touchpoint batch so far,
    and the log of removed touchpoints up to it is no longer needed. -#}
{% macro remember_consumed_touchpoints() %}
    create or replace table {{ consumed_touchpoints_relation() }} as
    select max(batched_at) as consumed_through from {{ ref('int_touchpoints_unioned') }};
    delete from {{ removed_touchpoints_relation() }}
    where removed_at <= (select max(consumed_through) from {{ consumed_touchpoints_relation() }})
{% endmacro %}
