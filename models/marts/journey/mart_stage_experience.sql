{#- The experience each journey stage delivers, per UTC month: survey CSAT,
    CES and NPS (per NPS survey type, never pooled) of the responses about
    the stage, their verbatims' sentiment, and tickets per customer in the
    stage. A response's stage comes from the seed lookups/survey_stage_rules
    (by survey trigger: a fixed stage, or the stage the customer was in just
    before answering); a ticket's is the stage its requester was in just
    before opening it. What no rule places counts under the stage
    `unknown_journey_stage` ('unknown'), never dropped. Dense month x stage
    grid over the span of responses and tickets (DECISIONLOG.md, "Experience
    per journey stage"). -#}
with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

tickets as (
    select * from {{ ref('fct_support_tickets') }}
),

journeys as (
    select * from {{ ref('fct_customer_journeys') }}
),

stage_rules as (
    select * from {{ ref('survey_stage_rules') }}
),

stages as (
    select * from {{ ref('journey_stages') }}
),

experience_moments as (
    select responded_at as occurred_at from responses
    union all
    select created_at as occurred_at from tickets
),

months as (
    select * from {{ observed_months('experience_moments', 'occurred_at') }}
),

observed_end as (
    select max(occurred_at) as last_at from experience_moments
),

nps_survey_types as (
    select unnest({{ var('nps_survey_types') }}) as survey_type
),

stage_list as (
    select
        journey_stage,
        stage_order
    from stages
    union all
    select
        '{{ var("unknown_journey_stage") }}' as journey_stage,
        null as stage_order
),

grid as (
    select
        months.month,
        months.is_partial_period,
        stage_list.journey_stage,
        stage_list.stage_order
    from months
    cross join stage_list
),

responses_with_rule as (
    select
        responses.*,
        stage_rules.stage_rule,
        stage_rules.journey_stage as fixed_stage
    from responses
    left join stage_rules on responses.survey_trigger = stage_rules.survey_trigger
),

stage_before_response as (
    -- the stage entered last strictly before the answer (the response itself is a
    -- touchpoint and may open a stage at that very moment)
    select
        responses_with_rule.response_id,
        journeys.journey_stage
    from responses_with_rule
    inner join journeys
        on
            responses_with_rule.customer_id = journeys.customer_id
            and responses_with_rule.responded_at > journeys.entered_at
    where responses_with_rule.stage_rule = 'stage_before_response'
    qualify row_number() over (
        partition by responses_with_rule.response_id
        order by journeys.entered_at desc, journeys.stage_order desc
    ) = 1
),

staged_responses as (
    select
        responses_with_rule.response_id,
        responses_with_rule.response_month as month,
        coalesce(
            case responses_with_rule.stage_rule
                when 'fixed_stage' then responses_with_rule.fixed_stage
                when 'stage_before_response' then stage_before_response.journey_stage
            end,
            '{{ var("unknown_journey_stage") }}'
        ) as journey_stage,
        responses_with_rule.survey_type,
        responses_with_rule.nps_category,
        responses_with_rule.csat_score,
        responses_with_rule.ces_score,
        responses_with_rule.comment_text,
        responses_with_rule.comment_sentiment
    from responses_with_rule
    left join stage_before_response on responses_with_rule.response_id = stage_before_response.response_id
),

stage_before_ticket as (
    select
        tickets.ticket_id,
        journeys.journey_stage
    from tickets
    inner join journeys
        on
            tickets.customer_id = journeys.customer_id
            and tickets.created_at > journeys.entered_at
    qualify row_number() over (
        partition by tickets.ticket_id
        order by journeys.entered_at desc, journeys.stage_order desc
    ) = 1
),

staged_tickets as (
    select
        tickets.ticket_id,
        tickets.customer_id,
        cast(date_trunc('month', tickets.created_at) as date) as month,
        coalesce(stage_before_ticket.journey_stage, '{{ var("unknown_journey_stage") }}') as journey_stage
    from tickets
    left join stage_before_ticket on tickets.ticket_id = stage_before_ticket.ticket_id
),

customer_stays as (
    -- the months of each customer's stay in a stage: from the month it was
    -- entered to the month it was left (the leaving instant included), or to
    -- the end of the data; a customer is in a stage once (fct_customer_journeys
    -- is unique on customer_id, journey_stage)
    select
        journeys.customer_id,
        journeys.journey_stage,
        cast(date_trunc('month', journeys.entered_at) as date) as first_month,
        cast(date_trunc('month', coalesce(journeys.exited_at, observed_end.last_at)) as date) as last_month
    from journeys
    cross join observed_end
    where
        (journeys.exited_at is null or journeys.exited_at > journeys.entered_at)
        -- a stay entered after the data's end spans no month of it
        and date_trunc('month', coalesce(journeys.exited_at, observed_end.last_at))
        >= date_trunc('month', journeys.entered_at)
),

stay_boundaries as (
    -- +1 customer in a stay's first month, -1 in the month after its last: the
    -- customers in a stage in a month are these summed up to that month (every
    -- month of every stay is never listed: 14M rows at 1M customers)
    select
        journey_stage,
        first_month as month,
        1 as customers_added
    from customer_stays
    union all
    select
        journey_stage,
        cast(last_month + interval 1 month as date) as month,
        -1 as customers_added
    from customer_stays
),

stage_changes as (
    select
        journey_stage,
        month,
        sum(customers_added) as customers_added
    from stay_boundaries
    group by journey_stage, month
),

customers_in_stage as (
    select
        grid.month,
        grid.journey_stage,
        coalesce(sum(stage_changes.customers_added), 0) as customers
    from grid
    left join stage_changes
        on
            grid.journey_stage = stage_changes.journey_stage
            and grid.month >= stage_changes.month
    group by grid.month, grid.journey_stage
),

tickets_per_customer_stage_month as (
    -- a customer's tickets in a stage and month they spent time in: only the
    -- customers with at least one (the others count as 0 through customers_in_stage)
    select
        staged_tickets.month,
        staged_tickets.journey_stage,
        staged_tickets.customer_id,
        count(*) as tickets
    from staged_tickets
    inner join customer_stays
        on
            staged_tickets.customer_id = customer_stays.customer_id
            and staged_tickets.journey_stage = customer_stays.journey_stage
            and staged_tickets.month between customer_stays.first_month and customer_stays.last_month
    group by staged_tickets.month, staged_tickets.journey_stage, staged_tickets.customer_id
),

ticket_sums as (
    select
        month,
        journey_stage,
        sum(tickets) as tickets,
        sum(tickets * tickets) as tickets_squared
    from tickets_per_customer_stage_month
    group by month, journey_stage
),

response_measures as (
    select
        grid.month,
        grid.journey_stage,
        count(staged_responses.response_id) as responses,
        count(staged_responses.csat_score) as csat_responses,
        count(*) filter (where staged_responses.csat_score >= 4) as csat_satisfied,
        {{ mean_columns('ces_mean', 'staged_responses.ces_score') }},
        count(*) filter (where staged_responses.ces_score >= 5) as ces_easy,
        count(staged_responses.comment_text) as verbatims,
        {{ mean_columns('comment_sentiment_mean', 'staged_responses.comment_sentiment') }}
    from grid
    left join staged_responses
        on grid.month = staged_responses.month and grid.journey_stage = staged_responses.journey_stage
    group by grid.month, grid.journey_stage
),

ticket_measures as (
    select
        grid.month,
        grid.journey_stage,
        count(staged_tickets.ticket_id) as tickets
    from grid
    left join staged_tickets
        on grid.month = staged_tickets.month and grid.journey_stage = staged_tickets.journey_stage
    group by grid.month, grid.journey_stage
),

customer_measures as (
    -- the mean over every customer in the stage that month, those without a
    -- ticket as 0
    select
        customers_in_stage.month,
        customers_in_stage.journey_stage,
        {{ mean_columns_from_sums(
            'tickets_per_customer',
            'customers_in_stage.customers',
            'coalesce(ticket_sums.tickets, 0)',
            'coalesce(ticket_sums.tickets_squared, 0)'
        ) }}
    from customers_in_stage
    left join ticket_sums
        on
            customers_in_stage.month = ticket_sums.month
            and customers_in_stage.journey_stage = ticket_sums.journey_stage
),

nps_counted as (
    select
        month,
        journey_stage,
        survey_type,
        {{ nps_counts('nps_category') }}
    from staged_responses
    where nps_category is not null
    group by month, journey_stage, survey_type
),

nps_wide as (
    -- one row per grid cell, each NPS survey type in columns of its own
    {{ nps_wide_by_survey_type('grid', 'nps_survey_types', 'nps_counted', ['month', 'journey_stage']) }}
),

final as (
    select
        grid.month,
        grid.journey_stage,
        grid.stage_order,
        grid.is_partial_period,
        response_measures.responses,
        response_measures.csat_responses,
        response_measures.csat_satisfied,
        {{ rate_columns(
            'survey_csat_share',
            'response_measures.csat_satisfied',
            'response_measures.csat_responses'
        ) }},
        response_measures.ces_mean,
        response_measures.ces_mean_n,
        response_measures.ces_mean_ci_low,
        response_measures.ces_mean_ci_high,
        response_measures.ces_mean_is_small_sample,
        response_measures.ces_easy,
        {{ rate_columns('ces_easy_share', 'response_measures.ces_easy', 'response_measures.ces_mean_n') }},
        nps_wide.* exclude (month, journey_stage),
        response_measures.verbatims,
        response_measures.comment_sentiment_mean,
        response_measures.comment_sentiment_mean_n,
        response_measures.comment_sentiment_mean_ci_low,
        response_measures.comment_sentiment_mean_ci_high,
        response_measures.comment_sentiment_mean_is_small_sample,
        ticket_measures.tickets,
        customer_measures.tickets_per_customer,
        customer_measures.tickets_per_customer_n,
        customer_measures.tickets_per_customer_ci_low,
        customer_measures.tickets_per_customer_ci_high,
        customer_measures.tickets_per_customer_is_small_sample
    from grid
    inner join response_measures
        on grid.month = response_measures.month and grid.journey_stage = response_measures.journey_stage
    inner join ticket_measures
        on grid.month = ticket_measures.month and grid.journey_stage = ticket_measures.journey_stage
    inner join customer_measures
        on grid.month = customer_measures.month and grid.journey_stage = customer_measures.journey_stage
    inner join nps_wide
        on grid.month = nps_wide.month and grid.journey_stage = nps_wide.journey_stage
)

select * from final
