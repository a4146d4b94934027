{#-
    The arrival order of the copies of one event (Snowplow's rule: the earliest arrival wins):
    number 1 is the copy received first, ties broken by occurred_at, event_name and the raw
    properties so the choice is deterministic. Both staging models that rank copies of an event
    (stg_raw__setup_events keeps number 1, stg_raw__setup_events_duplicates records the rest)
    read this one definition. `relation` prefixes the columns (e.g. 'validated.') when the
    query joins several relations.
-#}

{% macro arrival_number(relation='', rejected_apart=false) %}
    {#- rejected_apart: the rows include rejected copies, numbered apart from the valid ones (the
        caller ignores their numbers), so a valid copy's number counts valid copies only. -#}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- set partition = prefix ~ 'event_id' ~ (', ' ~ prefix ~ 'reject_reason is null' if rejected_apart else '') -%}
    {{- return(
        'row_number() over (partition by ' ~ partition ~ ' order by ' ~ prefix ~ 'received_at, '
        ~ prefix ~ 'occurred_at, ' ~ prefix ~ 'event_name, ' ~ prefix ~ 'raw_properties)'
    ) -}}
{% endmacro %}
