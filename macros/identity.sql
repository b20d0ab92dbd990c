{#- True when the email's local part names a role, not a person (info@, noreply@ ...):
    such addresses never join records (var `role_email_local_parts`). -#}
{% macro is_role_mailbox(email) -%}
    split_part({{ email }}, '@', 1) in {{ string_literal_list(var('role_email_local_parts')) }}
{%- endmacro %}
