{#- Every non-null value of the column fully matches the regular expression. -#}
{% test matches_regex(model, column_name, pattern) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and not regexp_full_match({{ column_name }}::varchar, '{{ pattern }}')
{% endtest %}
