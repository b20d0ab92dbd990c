{#- One row per UTC calendar day, the time spine MetricFlow joins metrics to
    when a query asks for it (models/semantic/_semantic__time_spine.yml). The
    range is fixed, not read from the data, so it never changes with a build:
    1970-01-01 to 2099-12-31 (47,482 rows) holds the sample's dates, the CDNOW
    data's (1997-1998) and any extract's of this century. -#}
with

days as (
    select unnest(generate_series(date '1970-01-01', date '2099-12-31', interval 1 day)) as day_start
),

final as (
    select cast(day_start as date) as date_day
    from days
)

select * from final
