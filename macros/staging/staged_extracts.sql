{#-
    The eight extracts as staging sees them: which base and staging model, the
    key, and, where the contract says lines of one key are re-exports, the
    column whose latest value wins (`recency`): a timestamp of the line where
    the extract has one (contacts, tickets, responses), else the file the line
    came in (`_file_name`: orders and help-desk users re-delivered in a later
    delta file; the files of a folder are ordered by name, each named after its
    first day). In the other extracts the key is unique: lines of one key are
    exact duplicates or in conflict (keep_one_line_per_key.sql).
-#}
{% macro staged_extracts() %}
    {{ return([
        {'extract': 'crm/contacts', 'base': 'base_crm__contacts', 'staged': 'stg_crm__contacts',
         'key': 'contact_id', 'recency': 'updated_at', 're_exported': true},
        {'extract': 'crm/orders', 'base': 'base_crm__orders', 'staged': 'stg_crm__orders',
         'key': 'order_id', 'recency': '_file_name', 're_exported': true},
        {'extract': 'crm/activities', 'base': 'base_crm__activities', 'staged': 'stg_crm__activities',
         'key': 'activity_id', 'recency': none, 're_exported': false},
        {'extract': 'support/users', 'base': 'base_support__users', 'staged': 'stg_support__users',
         'key': 'user_id', 'recency': '_file_name', 're_exported': true},
        {'extract': 'support/tickets', 'base': 'base_support__tickets', 'staged': 'stg_support__tickets',
         'key': 'ticket_id', 'recency': 'updated_at', 're_exported': true},
        {'extract': 'support/ticket_events', 'base': 'base_support__ticket_events',
         'staged': 'stg_support__ticket_events', 'key': 'event_id', 'recency': none,
         're_exported': false},
        {'extract': 'survey/surveys', 'base': 'base_survey__surveys', 'staged': 'stg_survey__surveys',
         'key': 'survey_id', 'recency': none, 're_exported': false},
        {'extract': 'survey/responses', 'base': 'base_survey__responses',
         'staged': 'stg_survey__responses', 'key': 'response_id', 'recency': 'recorded_at',
         're_exported': true},
    ]) }}
{% endmacro %}

{#- One extract of `staged_extracts()`, by name (`<system>/<table>`). -#}
{% macro staged_extract(extract_name) %}
    {%- for extract in staged_extracts() if extract.extract == extract_name %}
        {{- return(extract) }}
    {%- endfor %}
    {{- exceptions.raise_compiler_error('No staged extract named ' ~ extract_name) }}
{% endmacro %}
