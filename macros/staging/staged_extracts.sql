{#-
    The contract's extracts as staging sees them: which base and staging model, the
    key, and, where the contract says lines of one key are re-exports, the
    column whose latest value wins (`recency`): a timestamp of the line where
    the extract has one (contacts, tickets, responses), else the file the line
    came in (`_file_name`: orders and help-desk users re-delivered in a later
    delta file; the files of a folder are ordered by name, each named after its
    first day). In the other extracts the key is unique: lines of one key are
    exact duplicates or in conflict (keep_one_line_per_key.sql).

    Erasure (macros/loading/suppression.sql): `person_keys` are the columns
    that tie a line to a person, each with the kind of key it holds (a line
    whose value of one of them is suppressed is dropped as it is loaded);
    `identifies` are those of them that name the person the line is about, so
    a dropped line's values there are suppressed too (a contact found by email
    suppresses its contact id; a help-desk user found by its CRM id, its user
    id). A reference to someone else (a ticket event's ticket, a response's
    related order, a review's order reference) drops the line but suppresses
    nobody. `text_emails` (where given) are free-text columns: a line one of
    whose email addresses written there is suppressed is dropped too (an
    anonymous answer or review whose text gives the person's address), and
    suppresses nobody.
-#}
{% macro staged_extracts() %}
    {{ return([
        {'extract': 'crm/contacts', 'base': 'base_crm__contacts', 'staged': 'stg_crm__contacts',
         'key': 'contact_id', 'recency': 'updated_at', 're_exported': true,
         'person_keys': {'contact_id': 'contact_id', 'email': 'email'},
         'identifies': ['contact_id', 'email']},
        {'extract': 'crm/orders', 'base': 'base_crm__orders', 'staged': 'stg_crm__orders',
         'key': 'order_id', 'recency': '_file_name', 're_exported': true,
         'person_keys': {'contact_id': 'contact_id', 'order_id': 'order_id'},
         'identifies': ['order_id']},
        {'extract': 'crm/activities', 'base': 'base_crm__activities', 'staged': 'stg_crm__activities',
         'key': 'activity_id', 'recency': none, 're_exported': false,
         'person_keys': {'contact_id': 'contact_id', 'email': 'email', 'anonymous_id': 'anonymous_id'},
         'identifies': ['anonymous_id']},
        {'extract': 'support/users', 'base': 'base_support__users', 'staged': 'stg_support__users',
         'key': 'user_id', 'recency': '_file_name', 're_exported': true,
         'person_keys': {'user_id': 'user_id', 'email': 'email', 'external_id': 'contact_id'},
         'identifies': ['user_id', 'email', 'external_id']},
        {'extract': 'support/tickets', 'base': 'base_support__tickets', 'staged': 'stg_support__tickets',
         'key': 'ticket_id', 'recency': 'updated_at', 're_exported': true,
         'person_keys': {'ticket_id': 'ticket_id', 'requester_id': 'user_id'},
         'identifies': ['ticket_id']},
        {'extract': 'support/ticket_events', 'base': 'base_support__ticket_events',
         'staged': 'stg_support__ticket_events', 'key': 'event_id', 'recency': none,
         're_exported': false, 'person_keys': {'ticket_id': 'ticket_id', 'author_id': 'user_id'},
         'identifies': []},
        {'extract': 'survey/surveys', 'base': 'base_survey__surveys', 'staged': 'stg_survey__surveys',
         'key': 'survey_id', 'recency': none, 're_exported': false,
         'person_keys': {}, 'identifies': []},
        {'extract': 'survey/responses', 'base': 'base_survey__responses',
         'staged': 'stg_survey__responses', 'key': 'response_id', 'recency': 'recorded_at',
         're_exported': true,
         'person_keys': {'recipient_email': 'email', 'contact_ref': 'contact_id',
                         'related_ticket_id': 'ticket_id', 'related_order_id': 'order_id'},
         'identifies': [], 'text_emails': ['comment']},
        {'extract': 'reviews/reviews', 'base': 'base_reviews__reviews',
         'staged': 'stg_reviews__reviews', 'key': 'review_id', 'recency': 'updated_at',
         're_exported': true,
         'person_keys': {'reviewer_email': 'email', 'order_reference': 'order_id'},
         'identifies': [], 'text_emails': ['title', 'body']},
    ]) }}
{% endmacro %}

{#- One extract of `staged_extracts()`, by name (`<system>/<table>`). -#}
{% macro staged_extract(extract_name) %}
    {%- for extract in staged_extracts() if extract.extract == extract_name %}
        {{- return(extract) }}
    {%- endfor %}
    {{- exceptions.raise_compiler_error('No staged extract named ' ~ extract_name) }}
{% endmacro %}
