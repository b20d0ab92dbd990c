with

customers as (
    select * from {{ ref('int_customers') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints_staged') }}
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

-- The latest touchpoint of the data, identified or not: where mart_channel_mix's
-- observation ends too.
data_end as (
    select max(occurred_at) as observed_until from touchpoints
),

activity as (
    select
        customer_id,
        min(occurred_at) as first_touchpoint_at,
        max(occurred_at) as last_touchpoint_at,
        count(*) as touchpoints,
        arg_max(journey_stage, (occurred_at, stage_order)) as current_journey_stage,
        max(stage_order) as furthest_stage_order
    from touchpoints
    where customer_id is not null
    group by customer_id
),

-- The conversion window of mart_channel_mix: observed when it has ended by the data's end.
conversion_windows as (
    select
        activity.customer_id,
        {{ conversion_window_ends_at('activity.first_touchpoint_at') }}
        <= data_end.observed_until as is_conversion_window_observed
    from activity
    cross join data_end
),

latest_nps as (
    select
        customer_id,
        arg_max(nps_category, (responded_at, response_id)) as latest_nps_category,
        arg_max(nps_score, (responded_at, response_id)) as latest_nps_score,
        max(responded_at) as latest_nps_at
    from responses
    where nps_score is not null and customer_id is not null
    group by customer_id
),

final as (
    select
        customers.customer_id,
        customers.contact_id,
        customers.email,
        cx_email_hash(customers.email) as email_hash,
        customers.first_name,
        customers.last_name,
        customers.segment,
        customers.country_code as country,
        customers.acquisition_channel,
        customers.created_at,
        least(customers.created_at, activity.first_touchpoint_at) as first_seen_at,
        activity.first_touchpoint_at,
        activity.last_touchpoint_at,
        coalesce(activity.touchpoints, 0) as touchpoints,
        customers.lifecycle_stage,
        activity.current_journey_stage,
        activity.furthest_stage_order,
        conversion_windows.is_conversion_window_observed,
        latest_nps.latest_nps_category,
        latest_nps.latest_nps_score,
        latest_nps.latest_nps_at
    from customers
    left join activity on customers.customer_id = activity.customer_id
    left join conversion_windows on customers.customer_id = conversion_windows.customer_id
    left join latest_nps on customers.customer_id = latest_nps.customer_id
)

select * from final
