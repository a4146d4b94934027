{#-
    "After last progress" (SPEC 5 and 6): an event counts after progress when it happened strictly
    after the setup's last_progress_at, or when no step is reached. Every rule that asks the
    question (the latest error, errors per code, the error-class segments) reads this macro.
-#}

{% macro is_after_progress(occurred_at, last_progress_at) %}
    {{- return('(' ~ last_progress_at ~ ' is null or ' ~ occurred_at ~ ' > ' ~ last_progress_at ~ ')') -}}
{% endmacro %}
