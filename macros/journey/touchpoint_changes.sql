{#-
    Which source records an incremental build of `int_touchpoints_unioned`
    recomputes (see macros/incremental.sql): a SQL condition per source, on
    that source's alias in the model. On a full build every record qualifies.
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
    {%- set conditions = {
        'activities': [
            'activities.occurred_at >= ' ~ since,
            'activities.contact_id in (' ~ changed_contacts ~ ')',
            'activities.anonymous_id in (' ~ changed_identity_records('anonymous_id') ~ ')',
            'activities.email in (' ~ changed_identity_records('email_address') ~ ')',
        ],
        'orders': [
            'orders.ordered_at >= ' ~ since,
            'orders.refunded_at >= ' ~ since,
            'orders.contact_id in (' ~ changed_contacts ~ ')',
        ],
        'tickets': ['tickets.ticket_id in (' ~ changed_tickets ~ ')'],
        'ticket_events': [
            'ticket_events.created_at >= ' ~ since,
            'ticket_events.ticket_id in (' ~ changed_tickets ~ ')',
            'ticket_events.author_id in (' ~ changed_users ~ ')',
        ],
        'responses': [
            'responses.recorded_at >= ' ~ since,
            'responses.ended_at >= ' ~ since,
            'responses.response_id in (' ~ changed_identity_records('survey_response') ~ ')',
            'responses.contact_ref in (' ~ changed_contacts ~ ')',
        ],
    } -%}
    {{ return('(' ~ conditions[source] | join('\n        or ') ~ ')') }}
{% endmacro %}


{#- The touchpoint ids an incremental build recomputes (for the pre-hook). -#}
{% macro touchpoints_to_recompute() %}
    select 'crm_activity:' || activity_id from {{ ref('stg_crm__activities') }} as activities
    where {{ touchpoint_changes('activities') }}
    union all
    select 'crm_order:' || order_id from {{ ref('stg_crm__orders') }} as orders
    where {{ touchpoint_changes('orders') }}
    union all
    select 'support_ticket:' || ticket_id from {{ ref('stg_support__tickets') }} as tickets
    where {{ touchpoint_changes('tickets') }}
    union all
    select 'support_reply:' || event_id from {{ ref('stg_support__ticket_events') }} as ticket_events
    where {{ touchpoint_changes('ticket_events') }}
    union all
    select 'survey_response:' || response_id from {{ ref('int_survey_responses_classified') }} as responses
    where {{ touchpoint_changes('responses') }}
{% endmacro %}


{#- The customers whose journeys an incremental build recomputes: those with a
    touchpoint written since the journeys last read the touchpoints (by this
    run, or by one whose journeys never ran), and those whose touchpoint count
    no longer matches their journey (a touchpoint deleted or moved away). -#}
{% macro journeys_to_recompute() %}
    {%- set touchpoints = ref('int_touchpoints_unioned') -%}
    {%- set consumed = consumed_touchpoints_relation() -%}
    select customer_id from {{ touchpoints }}
    where
        customer_id is not null
        and batched_at > (
            {%- if load_relation(consumed) is none %}
                timestamptz '-infinity'
            {%- else %}
                select coalesce(max(consumed_through), timestamptz '-infinity') from {{ consumed }}
            {%- endif %}
        )
    union
    select coalesce(counted.customer_id, journeys.customer_id) from (
        select customer_id, count(*) as touchpoints from {{ touchpoints }}
        where customer_id is not null
        group by customer_id
    ) as counted
    full outer join (
        select customer_id, sum(touchpoints_in_stage) as touchpoints from {{ this }}
        group by customer_id
    ) as journeys
        on counted.customer_id = journeys.customer_id
    where counted.touchpoints is distinct from journeys.touchpoints
{% endmacro %}


{#- Where the journeys remember up to which touchpoint batch they have read. -#}
{% macro consumed_touchpoints_relation() %}
    {%- set touchpoints = ref('int_touchpoints_unioned') -%}
    {{ return(api.Relation.create(
        database=touchpoints.database, schema=touchpoints.schema,
        identifier=this.identifier ~ '__consumed_touchpoints'
    )) }}
{% endmacro %}


{#- Post-hook of the journeys: they have read every touchpoint batch so far. -#}
{% macro remember_consumed_touchpoints() %}
    create or replace table {{ consumed_touchpoints_relation() }} as
    select max(batched_at) as consumed_through from {{ ref('int_touchpoints_unioned') }}
{% endmacro %}
