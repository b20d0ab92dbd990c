{#- Every column of the project tagged as personal data, one row each
    (macros/personal_data_columns.sql): publishing leaves out the marts'
    columns of the withheld kinds (python/cx/publish.py). -#}
with

tagged_columns as (
    {{ tagged_personal_data_columns() }}
),

final as (
    select
        resource_type::varchar as resource_type,
        schema_name::varchar as schema_name,
        relation_name::varchar as relation_name,
        column_name::varchar as column_name,
        pii_kind::varchar as pii_kind
    from tagged_columns
)

select * from final
