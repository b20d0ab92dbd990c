{#-
    Row-level checks. Each returns a struct describing one defect of one
    column, or null when the value is fine; `row_defects([...])` keeps the
    non-null ones. A row with any defect goes to audit.quarantined_rows and
    not to staging. Reasons are a closed vocabulary (DECISIONLOG.md).
-#}

{% macro defect(condition, column, reason, detail) -%}
    case when {{ condition }} then {
        'column_name': {{ string_literal(column) }},
        'raw_value': source.{{ adapter.quote(column) }}::varchar,
        'reason': {{ string_literal(reason) }},
        'reason_detail': {{ string_literal(detail) }}
    } end
{%- endmacro %}

{% macro row_defects(checks) -%}
    list_filter([
        {%- for check in checks %}
        {{ check }}{{ ',' if not loop.last }}
        {%- endfor %}
    ], lambda defect: defect is not null)
{%- endmacro %}

{% macro check_required(column) -%}
    {{ defect(raw_text(column) ~ ' is null', column, 'missing_value', 'a value is required') }}
{%- endmacro %}

{% macro check_pattern(column, pattern, description) -%}
    {{ defect(
        raw_text(column) ~ " is not null and not regexp_full_match(" ~ raw_text(column)
        ~ ", " ~ string_literal(pattern) ~ ")",
        column, 'malformed_value', 'expected ' ~ description
    ) }}
{%- endmacro %}

{% macro check_accepted(column, values, normalise='enum') -%}
    {%- set value = normalise_code(column) if normalise == 'code' else normalise_enum(column) -%}
    {{ defect(
        value ~ " is not null and " ~ value ~ " not in " ~ string_literal_list(values),
        column, 'unknown_value', 'expected one of ' ~ values | join(', ')
    ) }}
{%- endmacro %}

{% macro check_timestamp(column) -%}
    {{ defect(
        raw_text(column) ~ ' is not null and not ' ~ has_utc_offset(column)
        ~ ' and try_cast(' ~ raw_text(column) ~ ' as timestamp) is not null',
        column, 'timestamp_without_utc_offset', 'expected ISO-8601 with a UTC offset'
    ) }},
    {{ defect(
        raw_text(column) ~ ' is not null and try_cast(' ~ raw_text(column)
        ~ ' as timestamp) is null and try_cast(' ~ raw_text(column) ~ ' as timestamptz) is null',
        column, 'unparseable_timestamp', 'expected ISO-8601 with a UTC offset'
    ) }}
{%- endmacro %}

{#- An integer is digits only, optionally after a minus sign (parse.sql);
    `9.5`, `1e1`, `0x0A` or `1_0` is `not_an_integer`, never rounded. -#}
{% macro check_integer(column, min_value=none, max_value=none) -%}
    {{ defect(
        raw_text(column) ~ ' is not null and not ' ~ is_integer_text(column),
        column, 'not_an_integer', 'expected digits only, optionally after a minus sign'
    ) }},
    {{ defect(
        is_integer_text(column) ~ ' and ' ~ parse_integer(column) ~ ' is null',
        column, 'out_of_range', 'expected a 64-bit integer'
    ) }}
    {%- if min_value is not none and max_value is not none %},
    {{ defect(
        parse_integer(column) ~ ' not between ' ~ min_value ~ ' and ' ~ max_value,
        column, 'out_of_range', 'expected ' ~ min_value ~ '..' ~ max_value
    ) }}
    {%- endif %}
{%- endmacro %}

{#- A decimal is digits, optionally a point and at most two decimal places,
    optionally after a minus sign (parse.sql). `1e3`, `0x10`, `1_000` or
    `1,000` is `not_a_decimal`; `19.999` is `too_many_decimals`, never rounded. -#}
{% macro check_decimal(column, min_value=none) -%}
    {{ defect(
        raw_text(column) ~ ' is not null and not ' ~ is_decimal_text(column),
        column, 'not_a_decimal', 'expected digits, optionally a point and decimal places'
    ) }},
    {{ defect(
        is_decimal_text(column) ~ ' and ' ~ has_too_many_decimals(column),
        column, 'too_many_decimals',
        'expected at most ' ~ amount_decimal_places() ~ ' decimal places'
    ) }},
    {{ defect(
        is_decimal_text(column) ~ ' and not ' ~ has_too_many_decimals(column)
        ~ ' and ' ~ parse_decimal(column) ~ ' is null',
        column, 'out_of_range', 'expected at most 16 digits before the point'
    ) }}
    {%- if min_value is not none %},
    {{ defect(
        parse_decimal(column) ~ ' < ' ~ min_value,
        column, 'out_of_range', 'expected at least ' ~ min_value
    ) }}
    {%- endif %}
{%- endmacro %}

{% macro check_boolean(column) -%}
    {{ defect(
        raw_text(column) ~ ' is not null and ' ~ parse_boolean(column) ~ ' is null',
        column, 'not_a_boolean', 'expected true or false'
    ) }}
{%- endmacro %}
