{#-
    The help-desk performance measures of the agent and team marts, written
    once (DECISIONLOG.md, "Agents and teams").

    ticket_performance_counts(): aggregate columns over rows of
    `fct_support_tickets`: tickets_assigned, solved_tickets, the medians of
    first reply and full resolution (minutes), reopened_tickets (solved now
    and reopened at least once), one_touch_tickets, good_ratings and
    bad_ratings.
    ticket_performance_rates(): from those counts, `one_touch_rate` and
    `reopen_rate` (both among solved tickets) and `helpdesk_csat`
    (good / (good + bad)), each as `rate_columns` (n, Wilson 95% interval,
    small-sample flag).
-#}
{% macro ticket_performance_counts() -%}
    count(*) as tickets_assigned,
    count(*) filter (where is_solved) as solved_tickets,
    median(first_reply_minutes) as median_first_reply_minutes,
    median(full_resolution_minutes) as median_full_resolution_minutes,
    count(*) filter (where is_solved and reopens > 0) as reopened_tickets,
    count(*) filter (where is_one_touch) as one_touch_tickets,
    count(*) filter (where satisfaction_rating = 'good') as good_ratings,
    count(*) filter (where satisfaction_rating = 'bad') as bad_ratings
{%- endmacro %}

{% macro ticket_performance_rates() -%}
    {{ rate_columns('one_touch_rate', 'one_touch_tickets', 'solved_tickets') }},
    {{ rate_columns('reopen_rate', 'reopened_tickets', 'solved_tickets') }},
    {{ rate_columns('helpdesk_csat', 'good_ratings', 'good_ratings + bad_ratings') }}
{%- endmacro %}
