{#-
    Friction thresholds as time offsets. Every friction rule reads its var through these macros
    (which read setting(), so the value is validated): the unit comes from the var's name
    (`_hours` or `_days`) and the offset is applied in seconds, so fractional values (1.5 h)
    are exact.
-#}

{% macro friction_threshold_seconds(name) %}
    {%- set value = setting(name) -%}
    {%- if name.endswith('_hours') -%}
        {{- return((value * 3600) | round | int) -}}
    {%- elif name.endswith('_days') -%}
        {{- return((value * 86400) | round | int) -}}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "friction_threshold_seconds('" ~ name ~ "'): the var name must end in _hours or _days so its unit is known."
    ) }}
{% endmacro %}


{% macro friction_after(name, expression) %}
    {#- expression + the threshold named by the var `name`. -#}
    {{- return(dbt.dateadd('second', friction_threshold_seconds(name), expression)) -}}
{% endmacro %}


{% macro friction_before(name, expression) %}
    {#- expression - the threshold named by the var `name`. -#}
    {{- return(dbt.dateadd('second', -1 * friction_threshold_seconds(name), expression)) -}}
{% endmacro %}


{% macro friction_hours_between(start, end) %}
    {#- Elapsed hours from start to end, one decimal (evidence columns). -#}
    {#- Whole seconds as a double, then divided: the same IEEE value on every engine. -#}
    {{- return(round_to('cast(' ~ dbt.datediff(start, end, 'second') ~ ' as ' ~ (type_double() | trim) ~ ') / 3600', 1)) -}}
{% endmacro %}
