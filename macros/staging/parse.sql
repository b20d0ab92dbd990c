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

{#- Numbers are read from their text, never by a bare cast: DuckDB's cast to
    an integer rounds `9.5` and `10.4` to 10 and reads `1e1`, `0x0A` and `1_0`
    as 10, and its cast to a decimal rounds `19.999` to 20.00. So the text is
    checked first (DECISIONLOG.md, "Numbers are read from their text"):

    - an integer is digits only, optionally after a minus sign (broken survey
      forms export `-1`, which is then out of range, not unreadable);
    - a decimal (an amount) is digits, optionally a point and at most
      `amount_decimal_places()` digits after it, optionally after a minus sign.

    Surrounding spaces are trimmed like every other value (`raw_text`). The
    parse macros return null for anything else, and the check macros
    (checks.sql) say why. -#}
{% macro is_integer_text(column) -%}
    regexp_full_match({{ raw_text(column) }}, '-?[0-9]+')
{%- endmacro %}

{#- Digits after the point an amount may carry: the minor unit of every
    currency the contract allows (USD, EUR, GBP), and the scale of
    `decimal(18, 2)`. -#}
{% macro amount_decimal_places() -%}
    2
{%- endmacro %}

{% macro is_decimal_text(column) -%}
    regexp_full_match({{ raw_text(column) }}, '-?[0-9]+(\.[0-9]+)?')
{%- endmacro %}

{% macro has_too_many_decimals(column) -%}
    {%- set more_than_allowed = '{' ~ (amount_decimal_places() | int + 1) ~ ',}' %}
    regexp_full_match({{ raw_text(column) }}, '-?[0-9]+\.[0-9]{{ more_than_allowed }}')
{%- endmacro %}

{#- Null unless the text is an integer; null too beyond a 64-bit integer
    (`check_integer` reports that as out of range). -#}
{% macro parse_integer(column) -%}
    case when {{ is_integer_text(column) }} then try_cast({{ raw_text(column) }} as bigint) end
{%- endmacro %}

{#- Null unless the text is a decimal within the contract's precision; null
    too beyond `decimal(18, 2)` (`check_decimal` reports that as out of range). -#}
{% macro parse_decimal(column) -%}
    case
        when {{ is_decimal_text(column) }} and not {{ has_too_many_decimals(column) }}
            then try_cast({{ raw_text(column) }} as decimal(18, {{ amount_decimal_places() }}))
    end
{%- endmacro %}

{% macro parse_boolean(column) -%}
    case {{ normalise_enum(column) }} when 'true' then true when 'false' then false end
{%- endmacro %}
