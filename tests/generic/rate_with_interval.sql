{#- The columns `rate_columns(rate, ...)` writes agree with each other: the rate
    is null exactly when its n is 0; otherwise its Wilson interval lies in
    [0, 1], has width, and holds the rate (to 1e-9, the floating-point noise
    of a bound at 0 or 1); the small-sample flag is n under `min_sample_size`. -#}
{% test rate_with_interval(model, rate) %}
select *
from {{ model }}
where not coalesce(
    ({{ rate }} is null) = ({{ rate }}_n = 0)
    and ({{ rate }}_ci_low is null) = ({{ rate }}_n = 0)
    and ({{ rate }}_ci_high is null) = ({{ rate }}_n = 0)
    and (
        {{ rate }}_n = 0
        or (
            {{ rate }}_ci_low >= 0
            and {{ rate }}_ci_high <= 1
            and {{ rate }}_ci_low < {{ rate }}_ci_high
            and {{ rate }}_ci_low <= {{ rate }} + 1e-9
            and {{ rate }} <= {{ rate }}_ci_high + 1e-9
        )
    )
    and {{ rate }}_is_small_sample = ({{ rate }}_n < {{ var('min_sample_size') }}),
    false
)
{% endtest %}
