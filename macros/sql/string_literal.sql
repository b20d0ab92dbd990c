{#-
    A value as a SQL string literal: in single quotes, every quote in it
    doubled. Every path or value pasted into SQL text goes through it, so a
    folder named `it's here` is read, not parsed as SQL.
-#}
{% macro string_literal(value) -%}
    {{- return("'" ~ (value | string | replace("'", "''")) ~ "'") -}}
{%- endmacro %}


{#- A list of values as a parenthesised list of SQL string literals. -#}
{% macro string_literal_list(values) -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- do literals.append(string_literal(value)) -%}
    {%- endfor -%}
    {{- return('(' ~ literals | join(', ') ~ ')') -}}
{%- endmacro %}


{#- A list of values as a DuckDB list of SQL string literals, `['a', 'b']`. -#}
{% macro string_literal_array(values) -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- do literals.append(string_literal(value)) -%}
    {%- endfor -%}
    {{- return('[' ~ literals | join(', ') ~ ']') -}}
{%- endmacro %}
