{#- The responses an incremental build of `fct_survey_responses` recomputes
    (see macros/incremental.sql): ended or recorded inside the window (a
    re-export wins by `recorded_date`), or whose identity link changed. -#}
{% macro responses_to_recompute() %}
    {%- set since = incremental_since('responded_at') -%}
    select response_id from {{ ref('int_survey_responses_classified') }}
    where
        recorded_at >= {{ since }}
        or ended_at >= {{ since }}
        or response_id in ({{ changed_identity_records('survey_response') }})
{% endmacro %}
