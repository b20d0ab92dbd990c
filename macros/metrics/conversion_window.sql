{#-
    conversion_window_ends_at(first_touchpoint_at): the end of a customer's
    conversion window, `channel_mix_window_days` days (a dbt var, 90) after the
    first touchpoint, to the microsecond; a first purchase before it converted
    (DECISIONLOG.md, "Channel mix: the first 90 days"). mart_channel_mix and
    dim_customers.is_conversion_window_observed read the window from here.
-#}
{% macro conversion_window_ends_at(first_touchpoint_at) -%}
    ({{ first_touchpoint_at }} + to_days({{ var('channel_mix_window_days') }}))
{%- endmacro %}
