{#-
    Source freshness (`dbt source freshness`, which `cx build` runs after the
    build; DECISIONLOG.md, "Freshness"). Each contract extract with a moment
    of its own declares it as `loaded_at_field` and its warn and error ages
    from dbt vars (`freshness_<table>_warn_days`, `_error_days`).

    The age is that of the extract's latest usable line (typed, without a
    defect) as of the run's clock, `freshness_as_of()`: the typed lines of the
    base model, not the raw files, so a daily run reads no extract file again,
    and a line whose moment is malformed or in another form (quarantined)
    never makes an extract look fresh.
-#}

{#- The moment freshness is measured at: `CX_AS_OF` (ISO-8601 with a UTC
    offset) when set; else, for the committed sample, the moment its extracts
    were taken (the generator's `EXTRACT_AT`), so that the sample stays fresh
    as calendar time passes; else now. An expression. -#}
{% macro freshness_as_of() -%}
    {%- set as_of = var('freshness_as_of') | string | trim -%}
    {%- if as_of -%}
        timezone('UTC', cast({{ string_literal(as_of) }} as timestamptz))
    {%- else -%}
        timezone('UTC', current_timestamp)
    {%- endif -%}
{%- endmacro %}


{#- dbt's freshness query for a contract extract: the latest `loaded_at_field`
    of the base model's usable lines, and the clock. Overrides dbt-duckdb's
    (the project's macros come first in dbt's dispatch). -#}
{% macro duckdb__collect_freshness(source, loaded_at_field, filter) %}
    {%- set extract = staged_extract(source_system_of(source) ~ '/' ~ source.identifier) -%}
    {%- set base = graph.nodes.get('model.cx.' ~ extract.base) -%}
    {% call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
        select
            max({{ adapter.quote(loaded_at_field) }})::timestamp as max_loaded_at,
            {{ freshness_as_of() }} as snapshotted_at
        from {{ adapter.quote(base.schema) }}.{{ adapter.quote(base.alias) }}
        where len(_defects) = 0
        {%- if filter %}
            and ({{ filter }})
        {%- endif %}
    {%- endcall %}
    {{ return(load_result('collect_freshness')) }}
{% endmacro %}


{#- The system (`crm`, `support`, `survey`) of a contract source relation. -#}
{% macro source_system_of(relation) %}
    {%- for node in graph.sources.values()
        if node.source_meta.get('contract') == 'raw-extracts' and node.identifier == relation.identifier -%}
        {{ return(node.source_name) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('No contract extract reads ' ~ relation) }}
{% endmacro %}
