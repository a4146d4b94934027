{#-
    Thresholds as time offsets: the one way every rule turns a duration var into an offset.
    Each macro reads the var through setting() (so the value is validated); the unit comes from
    the var's name (`_minutes`, `_hours` or `_days`) and the offset is applied in whole seconds,
    so fractional values (1.5 h) are exact.
-#}

{% macro threshold_seconds(name) %}
    {%- set value = setting(name) -%}
    {%- if name.endswith('_minutes') -%}
        {{- return((value * 60) | round | int) -}}
    {%- elif name.endswith('_hours') -%}
        {{- return((value * 3600) | round | int) -}}
    {%- elif name.endswith('_days') -%}
        {{- return((value * 86400) | round | int) -}}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "threshold_seconds('" ~ name ~ "'): the var name must end in _minutes, _hours or _days so its unit is known."
    ) }}
{% endmacro %}


{% macro threshold_after(name, expression) %}
    {#- expression + the threshold named by the var `name`. -#}
    {{- return(dbt.dateadd('second', threshold_seconds(name), expression)) -}}
{% endmacro %}


{% macro threshold_before(name, expression) %}
    {#- expression - the threshold named by the var `name`. -#}
    {{- return(dbt.dateadd('second', -1 * threshold_seconds(name), expression)) -}}
{% endmacro %}


{% macro hours_between(start, end) %}
    {#- Elapsed hours from start to end, one decimal (evidence columns). -#}
    {#- Whole seconds as a double, then divided: the same IEEE value on every engine. -#}
    {{- return(round_to('cast(' ~ dbt.datediff(start, end, 'second') ~ ' as ' ~ (type_double() | trim) ~ ') / 3600', 1)) -}}
{% endmacro %}
