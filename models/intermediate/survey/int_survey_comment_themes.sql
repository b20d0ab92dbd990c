{#- The themes of each valid verbatim, from the theme taxonomy seed.
    The taxonomy is read when the model compiles and each pattern written into
    the query as a constant: DuckDB then compiles each regular expression once,
    not once per row as a join on the pattern column would (4.4 s against
    0.3 s at 100k customers). -#}
-- depends_on: {{ ref('comment_themes') }}
{%- set taxonomy = [] -%}
{%- if execute -%}
    {%- set seed = load_relation(ref('comment_themes')) -%}
    {%- if seed is not none -%}
        {%- set taxonomy = run_query(
            'select theme, language_code, pattern from ' ~ seed ~ ' order by all'
        ).rows -%}
    {%- elif flags.WHICH in ('build', 'run') -%}
        {{ exceptions.raise_compiler_error(
            'The theme taxonomy ' ~ ref('comment_themes') ~ ' is not built: run `dbt seed` or `dbt build`.'
        ) }}
    {%- endif -%}
{%- endif %}

with

responses as (
    select
        response_id,
        language_code,
        lower(comment_text) as comment_text
    from {{ ref('int_survey_responses_classified') }}
    where exclusion_reason is null and comment_text is not null
),

matched as (
    select
        response_id,
        list_sort(list_distinct(list_filter(
            [
                {%- for theme, language_code, pattern in taxonomy %}
                    case
                        when
                            language_code = {{ string_literal(language_code) }}
                            and regexp_matches(comment_text, {{ string_literal(pattern) }})
                            then {{ string_literal(theme) }}
                    end{{ "," if not loop.last }}
                {%- endfor %}
            ],
            lambda theme: theme is not null
        ))) as comment_themes
    from responses
),

final as (
    select
        response_id,
        comment_themes
    from matched
    where len(comment_themes) > 0
)

select * from final
