{#- A condition: the first reply took longer than `slow_first_reply_minutes`
    (a dbt var, 1440 = 24 hours). False for a ticket without a reply yet. -#}
{% macro is_slow_first_reply(first_reply_minutes) -%}
    coalesce(({{ first_reply_minutes }}) > {{ var('slow_first_reply_minutes') }}, false)
{%- endmacro %}
