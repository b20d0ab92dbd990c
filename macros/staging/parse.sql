{#-
    Parsing and normalisation rules used by every base model. Each takes the
    name of a raw (varchar) column of the `source` CTE and returns a typed,
    normalised expression; a value that cannot be parsed becomes null, and
    the matching check_* macro (checks.sql) records why.
-#}

{% macro raw_text(column) -%}
    nullif(trim(source.{{ adapter.quote(column) }}), '')
{%- endmacro %}

{#- Emails join systems: lower case, no surrounding spaces. -#}
{% macro normalise_email(column) -%}
    lower({{ raw_text(column) }})
{%- endmacro %}

{#- Codes (country, currency) are upper case. -#}
{% macro normalise_code(column) -%}
    upper({{ raw_text(column) }})
{%- endmacro %}

{#- Enum values are compared in lower case. -#}
{% macro normalise_enum(column) -%}
    lower({{ raw_text(column) }})
{%- endmacro %}

{#- Phones to E.164-like digits: `+` and digits when the raw value has a
    country prefix; ten digits are taken as a North American number (+1);
    anything else keeps its digits only. -#}
{% macro normalise_phone(column) -%}
    case
        when regexp_replace({{ raw_text(column) }}, '[^0-9]', '', 'g') = '' then null
        when starts_with({{ raw_text(column) }}, '+')
            then '+' || regexp_replace({{ raw_text(column) }}, '[^0-9]', '', 'g')
        when length(regexp_replace({{ raw_text(column) }}, '[^0-9]', '', 'g')) = 10
            then '+1' || regexp_replace({{ raw_text(column) }}, '[^0-9]', '', 'g')
        else regexp_replace({{ raw_text(column) }}, '[^0-9]', '', 'g')
    end
{%- endmacro %}

{#- A timestamp with a UTC offset, as a UTC `timestamp`. Without an offset the
    moment is ambiguous, so it is not guessed. -#}
{% macro has_utc_offset(column) -%}
    regexp_matches(
        {{ raw_text(column) }},
        '[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$'
    )
{%- endmacro %}

{% macro parse_timestamp_utc(column) -%}
    case
        when {{ has_utc_offset(column) }}
            then timezone('UTC', try_cast({{ raw_text(column) }} as timestamptz))
    end
{%- endmacro %}

{% macro parse_integer(column) -%}
    try_cast({{ raw_text(column) }} as bigint)
{%- endmacro %}

{% macro parse_decimal(column) -%}
    try_cast({{ raw_text(column) }} as decimal(18, 2))
{%- endmacro %}

{% macro parse_boolean(column) -%}
    case {{ normalise_enum(column) }} when 'true' then true when 'false' then false end
{%- endmacro %}
