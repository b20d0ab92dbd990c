{#-
    Every line of the extract reviews/reviews, typed, with its defects. No line is
    dropped here. Written by `cx add-source` from a sample of 603 lines: each
    column's rule and why it was chosen is written above it; review them (a
    text column may want normalise_enum, normalise_code or a check_accepted, a
    number a range: macros/staging/checks.sql).
-#}
with

source as (
    select * from {{ raw_source('reviews', 'reviews') }}
),

checked as (
    select
        -- review_id (the key): text: DuckDB read VARCHAR, no typed rule fits; 603/603 lines filled
        {{ raw_text('review_id') }} as review_id,
        -- platform: text: DuckDB read VARCHAR, no typed rule fits; 603/603 lines filled
        {{ raw_text('platform') }} as platform,
        -- reviewer_email: text, normalised as an email (named like one): 271/603 lines filled
        {{ normalise_email('reviewer_email') }} as reviewer_email,
        -- order_reference: text: DuckDB read VARCHAR, no typed rule fits; 333/603 lines filled
        {{ raw_text('order_reference') }} as order_reference,
        -- rating: integer, inferred from 603/603 filled values (DuckDB read BIGINT; each is plain
        --     digits within 64 bits (parse_integer)); 603/603 lines filled
        {{ parse_integer('rating') }} as rating,
        -- title: text: DuckDB read VARCHAR, no typed rule fits; 479/603 lines filled
        {{ raw_text('title') }} as title,
        -- body: text: DuckDB read VARCHAR, no typed rule fits; 522/603 lines filled
        {{ raw_text('body') }} as body,
        -- language: text: DuckDB read VARCHAR, no typed rule fits; 603/603 lines filled
        {{ raw_text('language') }} as language,  -- noqa: RF04
        -- posted_at: text: DuckDB read TIMESTAMP WITH TIME ZONE, but only 601 of 603 filled values
        --     are ISO-8601 with a UTC offset (parse_timestamp_utc)
        {{ raw_text('posted_at') }} as posted_at,
        -- updated_at (the latest wins among a key's lines): timestamp, inferred from 603/603 filled
        --     values (DuckDB read TIMESTAMP WITH TIME ZONE; each is ISO-8601 with a UTC offset
        --     (parse_timestamp_utc)); 603/603 lines filled
        {{ parse_timestamp_utc('updated_at') }} as updated_at,
        {{ row_defects([
            check_required('review_id'),
            check_required('updated_at'),
            check_integer('rating'),
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
