{#- Public reviews per UTC month of posting and platform: how many, the mean
    rating with its 95% t interval (mean_columns) and the share of 4 and 5 stars
    with its Wilson 95% interval (rate_columns), each review counted once in its
    latest version, in the month it was first posted (DECISIONLOG.md, "Reviews").
    Every month of the reviews' span x every platform of var `review_platforms`
    (a cell without reviews: zero reviews, null mean and share). -#}
with

reviews as (
    select * from {{ ref('fct_reviews') }}
),

months as (
    select * from {{ observed_months('reviews', 'posted_at') }}
),

platforms as (
    select unnest({{ var('review_platforms') }}) as platform
),

grid as (
    select
        months.month,
        months.is_partial_period,
        platforms.platform
    from months
    cross join platforms
),

monthly as (
    select
        grid.month,
        grid.is_partial_period,
        grid.platform,
        count(reviews.review_id) as reviews,
        count(*) filter (where reviews.is_four_or_five_stars) as four_or_five_star_reviews,
        {{ mean_columns('mean_rating', 'reviews.rating') }}
    from grid
    left join reviews
        on
            grid.month = reviews.posted_month
            and grid.platform = reviews.platform
    group by grid.month, grid.is_partial_period, grid.platform
),

final as (
    select
        month,
        is_partial_period,
        platform,
        reviews,
        mean_rating,
        mean_rating_n,
        mean_rating_ci_low,
        mean_rating_ci_high,
        mean_rating_is_small_sample,
        four_or_five_star_reviews,
        {{ rate_columns('four_or_five_star_share', 'four_or_five_star_reviews', 'reviews') }}
    from monthly
)

select * from final
