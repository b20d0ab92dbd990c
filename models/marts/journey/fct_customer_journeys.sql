{#- One row per customer and journey stage reached: when the customer first
    touched the stage, when they first moved on to another stage, how many
    touchpoints the stage holds. -#}

with

touchpoints as (
    select * from {{ ref('int_touchpoints_staged') }}
    where customer_id is not null
),

journey_starts as (
    select
        customer_id,
        min(occurred_at) as journey_started_at
    from touchpoints
    group by customer_id
),

stage_entries as (
    select
        customer_id,
        journey_stage,
        stage_order,
        min(occurred_at) as entered_at,
        count(*) as touchpoints_in_stage
    from touchpoints
    group by customer_id, journey_stage, stage_order
),

final as (
    select
        stage_entries.customer_id,
        stage_entries.journey_stage,
        stage_entries.stage_order,
        stage_entries.entered_at,
        lead(stage_entries.entered_at) over (
            partition by stage_entries.customer_id
            order by stage_entries.entered_at, stage_entries.stage_order
        ) as exited_at,
        stage_entries.touchpoints_in_stage,
        date_diff('second', journey_starts.journey_started_at, stage_entries.entered_at)
        / 86400.0 as days_to_reach
    from stage_entries
    inner join journey_starts on stage_entries.customer_id = journey_starts.customer_id
)

select * from final
