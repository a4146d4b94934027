{#-
    Confidence intervals for proportions and their differences, in plain SQL (sqrt, ln, exp and
    arithmetic only, the same on every engine), so journey_lift needs no Python step.

    z_95(): the two-sided 95 % normal quantile. The level is fixed on purpose: the report and the
    README read "95 %"; tests/python/test_impact.py checks every bound against statsmodels.

    wilson_bound(successes, trials, side): Wilson score interval of one proportion, no continuity
    correction (statsmodels proportion_confint(method='wilson')).

    newcombe_difference_bound(x1, n1, x2, n2, side): Newcombe's hybrid score interval (his method
    10) for p1 - p2, built from the two Wilson intervals (statsmodels
    confint_proportions_2indep(method='newcomb', compare='diff')).

    log_ratio_bound(x1, n1, x2, n2, side): the Katz log interval for p1 / p2 (statsmodels
    confint_proportions_2indep(method='log', compare='ratio')); null when either count is 0.
    Every macro returns null when a trials count is 0.
-#}

{% macro z_95() -%}
    1.959963984540054
{%- endmacro %}

{% macro _proportion(successes, trials) -%}
    (cast({{ successes }} as {{ type_double() }}) / nullif({{ trials }}, 0))
{%- endmacro %}

{% macro wilson_bound(successes, trials, side) -%}
    {%- if side not in ['lower', 'upper'] -%}
        {{ exceptions.raise_compiler_error("wilson_bound(): side must be 'lower' or 'upper', not '" ~ side ~ "'.") }}
    {%- endif -%}
    {%- set z = z_95() -%}
    {%- set p = _proportion(successes, trials) -%}
    {%- set n = 'cast(nullif(' ~ trials ~ ', 0) as ' ~ type_double() ~ ')' -%}
    (
        ({{ p }} + {{ z }} * {{ z }} / (2 * {{ n }}))
        {{ '-' if side == 'lower' else '+' }} {{ z }} * sqrt(
            {{ p }} * (1 - {{ p }}) / {{ n }} + {{ z }} * {{ z }} / (4 * {{ n }} * {{ n }})
        )
    ) / (1 + {{ z }} * {{ z }} / {{ n }})
{%- endmacro %}

{% macro newcombe_difference_bound(x1, n1, x2, n2, side) -%}
    {%- set p1 = _proportion(x1, n1) -%}
    {%- set p2 = _proportion(x2, n2) -%}
    {%- if side == 'lower' -%}
    ({{ p1 }} - {{ p2 }} - sqrt(
        ({{ p1 }} - {{ wilson_bound(x1, n1, 'lower') }}) * ({{ p1 }} - {{ wilson_bound(x1, n1, 'lower') }})
        + ({{ wilson_bound(x2, n2, 'upper') }} - {{ p2 }}) * ({{ wilson_bound(x2, n2, 'upper') }} - {{ p2 }})
    ))
    {%- elif side == 'upper' -%}
    ({{ p1 }} - {{ p2 }} + sqrt(
        ({{ wilson_bound(x1, n1, 'upper') }} - {{ p1 }}) * ({{ wilson_bound(x1, n1, 'upper') }} - {{ p1 }})
        + ({{ p2 }} - {{ wilson_bound(x2, n2, 'lower') }}) * ({{ p2 }} - {{ wilson_bound(x2, n2, 'lower') }})
    ))
    {%- else -%}
        {{ exceptions.raise_compiler_error("newcombe_difference_bound(): side must be 'lower' or 'upper', not '" ~ side ~ "'.") }}
    {%- endif -%}
{%- endmacro %}

{% macro log_ratio_bound(x1, n1, x2, n2, side) -%}
    {%- if side not in ['lower', 'upper'] -%}
        {{ exceptions.raise_compiler_error("log_ratio_bound(): side must be 'lower' or 'upper', not '" ~ side ~ "'.") }}
    {%- endif -%}
    case
        when {{ x1 }} > 0 and {{ x2 }} > 0 and {{ n1 }} > 0 and {{ n2 }} > 0
            then exp(
                ln({{ _proportion(x1, n1) }} / {{ _proportion(x2, n2) }})
                {{ '-' if side == 'lower' else '+' }} {{ z_95() }} * sqrt(
                    1.0 / {{ x1 }} - 1.0 / {{ n1 }} + 1.0 / {{ x2 }} - 1.0 / {{ n2 }}
                )
            )
    end
{%- endmacro %}
