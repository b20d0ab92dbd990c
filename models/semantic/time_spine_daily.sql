{#- One row per UTC calendar day, the time spine MetricFlow joins metrics to
    (models/semantic/_semantic__time_spine.yml). The range holds every date
    the marts can carry: 1970-01-01 (the earliest a CRM export can hold) to
    2099-12-31; 47,846 rows. -#}
with

days as (
    select unnest(generate_series(date '1970-01-01', date '2099-12-31', interval 1 day)) as day_start
),

final as (
    select cast(day_start as date) as date_day
    from days
)

select * from final
