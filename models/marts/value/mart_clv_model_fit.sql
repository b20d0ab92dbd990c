with

model_fit as (
    select * from {{ ref('int_clv_model_fit') }}
),

final as (
    select
        model,
        parameter,
        value,
        log_likelihood,
        customers,
        observation_end,
        converged,
        status
    from model_fit
)

select * from final
