{#-
    The eight extracts as staging sees them: which base and staging model,
    the key, the column that decides which line wins, and whether several
    lines per key are expected (re-exports, resolved by the contract) or a
    defect (duplicate keys, quarantined).
-#}
{% macro staged_extracts() %}
    {{ return([
        {'extract': 'crm/contacts', 'base': 'base_crm__contacts', 'staged': 'stg_crm__contacts',
         'key': 'contact_id', 'recency': 'updated_at', 're_exported': true},
        {'extract': 'crm/orders', 'base': 'base_crm__orders', 'staged': 'stg_crm__orders',
         'key': 'order_id', 'recency': 'ordered_at', 're_exported': false},
        {'extract': 'crm/activities', 'base': 'base_crm__activities', 'staged': 'stg_crm__activities',
         'key': 'activity_id', 'recency': 'occurred_at', 're_exported': false},
        {'extract': 'support/users', 'base': 'base_support__users', 'staged': 'stg_support__users',
         'key': 'user_id', 'recency': 'created_at', 're_exported': false},
        {'extract': 'support/tickets', 'base': 'base_support__tickets', 'staged': 'stg_support__tickets',
         'key': 'ticket_id', 'recency': 'updated_at', 're_exported': false},
        {'extract': 'support/ticket_events', 'base': 'base_support__ticket_events',
         'staged': 'stg_support__ticket_events', 'key': 'event_id', 'recency': 'created_at',
         're_exported': false},
        {'extract': 'survey/surveys', 'base': 'base_survey__surveys', 'staged': 'stg_survey__surveys',
         'key': 'survey_id', 'recency': 'survey_name', 're_exported': false},
        {'extract': 'survey/responses', 'base': 'base_survey__responses',
         'staged': 'stg_survey__responses', 'key': 'response_id', 'recency': 'recorded_at',
         're_exported': true},
    ]) }}
{% endmacro %}
