{#-
    Incremental builds of the large facts (touchpoints, journeys, ticket facts,
    survey responses): what each run recomputes, and how it stays equal to a
    full rebuild. See DECISIONLOG.md ("Incremental facts").

    Each incremental model
    - takes a watermark from its own table (the latest source timestamp it
      holds) minus `incremental_lookback_days`: source rows at or after that
      moment are recomputed, so late-arriving rows inside the window land;
    - recomputes records whose identity link changed since its last run, by
      comparing `int_identity_links` with the copy of the links it saved when
      it last ran (a new identify row re-assigns older anonymous touches, which
      a plain lookback would miss);
    - deletes, in a pre-hook, every key it is about to recompute, then appends
      the recomputed rows: a record that no longer qualifies (its contact was
      deleted, its response became invalid) is removed rather than left behind.

    The watermark is read once, when the model compiles, before the pre-hook
    deletes anything: the pre-hook and the model then select the same keys.
-#}

{#- The moment from which source rows are recomputed, as a SQL literal; the
    latest `column` in this model's table minus the lookback window. -#}
{% macro incremental_since(column) %}
    {%- if not execute or not is_incremental() -%}
        {{ return("timestamptz '-infinity'") }}
    {%- endif -%}
    {%- set days = var('incremental_lookback_days') | int -%}
    {%- set found = run_query(
        'select strftime(max(' ~ column ~ ") - interval '" ~ days ~ " days', "
        ~ "'%Y-%m-%d %H:%M:%S.%f+00') from " ~ this
    ).columns[0].values()[0] -%}
    {{ return('timestamptz ' ~ string_literal(found) if found else "timestamptz '-infinity'") }}
{% endmacro %}


{#- A table of incremental state (`<name>`), kept beside the identity links:
    never a ref to the model itself, which its own hooks would make a cycle. -#}
{% macro incremental_state_relation(name) %}
    {%- set links = ref('int_identity_links') -%}
    {{ return(api.Relation.create(database=links.database, schema=links.schema, identifier=name)) }}
{% endmacro %}


{#- Where a model keeps the identity links it last applied. -#}
{% macro applied_identity_links_relation() %}
    {{ return(incremental_state_relation(this.identifier ~ '__applied_identity_links')) }}
{% endmacro %}


{#- Post-hook: remember the links this run applied. -#}
{% macro remember_identity_links(record_types) %}
    create or replace table {{ applied_identity_links_relation() }} as
    select record_type, record_id, customer_id, link_rule
    from {{ ref('int_identity_links') }}
    where record_type in ('{{ record_types | join("', '") }}')
{% endmacro %}


{#- Record ids of `record_type` whose link appeared, moved or went away since
    this model last ran: a subquery for `in (...)`. On a full build, none. -#}
{% macro changed_identity_records(record_type) %}
    {%- set applied = applied_identity_links_relation() -%}
    {%- if not is_incremental() -%}
        select cast(null as varchar) as record_id where false
    {%- elif load_relation(applied) is none -%}
        select record_id from {{ ref('int_identity_links') }} where record_type = '{{ record_type }}'
    {%- else -%}
        select record_id from (
            (
                select record_id, customer_id, link_rule from {{ ref('int_identity_links') }}
                where record_type = '{{ record_type }}'
                except
                select record_id, customer_id, link_rule from {{ applied }}
                where record_type = '{{ record_type }}'
            )
            union
            (
                select record_id, customer_id, link_rule from {{ applied }}
                where record_type = '{{ record_type }}'
                except
                select record_id, customer_id, link_rule from {{ ref('int_identity_links') }}
                where record_type = '{{ record_type }}'
            )
        )
    {%- endif -%}
{% endmacro %}


{#- The condition that keeps the keys a model recomputes: all of them on a
    full build (`true`), those of `keys_sql` on an incremental one. -#}
{% macro recompute_filter(column, keys_sql) %}
    {{- column ~ ' in (' ~ keys_sql ~ ')' if is_incremental() else 'true' -}}
{% endmacro %}


{#- Pre-hook: delete the keys the model is about to recompute. -#}
{% macro delete_recomputed_keys(key, keys_sql) %}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ key }} in ({{ keys_sql }})
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}
