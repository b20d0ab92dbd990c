{#-
    The verbatim theme taxonomy (seed `comment_themes`), matched the same way
    wherever a text is searched for themes (a whole verbatim, or one sentence).

    comment_theme_taxonomy(): the seed's rows (theme, language_code, pattern),
    read when the model compiles. Each pattern is then written into the query
    as a constant: DuckDB compiles each regular expression once, not once per
    row as a join on the pattern column would (4.4 s against 0.3 s at 100k
    customers; DECISIONLOG.md, "Theme matching with constant patterns"). A
    model calling it names the seed in a `-- depends_on:` comment.
    matched_comment_themes(text, language_code, taxonomy): the sorted,
    distinct themes whose pattern for `language_code` matches the lower-cased
    `text`; an empty list when none does.
-#}
{% macro comment_theme_taxonomy() -%}
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
    {%- endif -%}
    {{ return(taxonomy) }}
{%- endmacro %}

{% macro matched_comment_themes(text, language_code, taxonomy) -%}
    list_sort(list_distinct(list_filter(
        [
            {%- for theme, pattern_language, pattern in taxonomy %}
                case
                    when
                        {{ language_code }} = {{ string_literal(pattern_language) }}
                        and regexp_matches(lower({{ text }}), {{ string_literal(pattern) }})
                        then {{ string_literal(theme) }}
                end{{ "," if not loop.last }}
            {%- endfor %}
        ],
        lambda theme: theme is not null
    )))
{%- endmacro %}
