{#- No timestamp is later than the moment the build started (UTC). -#}
{% test not_in_future(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} > timezone('UTC', '{{ run_started_at.isoformat() }}'::timestamptz)
{% endtest %}
