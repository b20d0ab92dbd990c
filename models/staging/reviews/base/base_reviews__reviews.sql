{#-
    Every line of the extract reviews/reviews, typed, with its defects. No line is
    dropped here. Written by `cx add-source` from a sample of 603 lines, then
    reviewed: the platform is one of var `review_platforms`, the rating an
    integer 1..5 (`4.5` is not_an_integer, never rounded), the language one of
    var `languages`, and a review needs its id, platform, rating, posted_at and
    updated_at. The email is normalised as every extract's (normalise_email), so
    identity links it like a survey recipient's.
-#}
with

source as (
    select * from {{ raw_source('reviews', 'reviews') }}
),

checked as (
    select
        {{ raw_text('review_id') }} as review_id,
        {{ normalise_enum('platform') }} as platform,
        {{ normalise_email('reviewer_email') }} as reviewer_email,
        {{ raw_text('order_reference') }} as order_reference,
        {{ parse_integer('rating') }} as rating,
        {{ raw_text('title') }} as review_title,
        {{ raw_text('body') }} as review_body,
        {{ normalise_enum('language') }} as language_code,
        {{ parse_timestamp_utc('posted_at') }} as posted_at,
        {{ parse_timestamp_utc('updated_at') }} as updated_at,
        {{ row_defects([
            check_required('review_id'),
            check_required('platform'),
            check_accepted('platform', var('review_platforms')),
            check_required('rating'),
            check_integer('rating', 1, 5),
            check_accepted('language', var('languages')),
            check_required('posted_at'),
            check_timestamp('posted_at'),
            check_required('updated_at'),
            check_timestamp('updated_at')
        ]) }} as _defects,
        source._file_name,
        {{ raw_line() }} as _line
    from source
),

final as (
    select
        * exclude (_line),
        to_json(_line) as _raw_row
    from checked
)

select * from final
