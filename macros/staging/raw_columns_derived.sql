{#-
    Two raw columns that the ranked batch does not store, because each follows from columns it
    does store: writing them would make the widest table of a full build wider still (100M rows).
    Staging, the duplicates and the quarantine read them through these definitions.
    `relation` prefixes the columns (e.g. 'ranked.') when the query joins several relations.
-#}

{% macro raw_event_id(relation='') %}
    {#- event_id as it arrived: the producer's id, null when the id was generated from the content. -#}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {{- return('case when ' ~ prefix ~ 'has_generated_event_id then null else ' ~ prefix ~ 'event_id end') -}}
{% endmacro %}


{% macro properties_json(relation='') %}
    {#- The raw properties when they parse as a JSON object, else null. -#}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {{- return('case when ' ~ prefix ~ 'has_valid_properties then ' ~ prefix ~ 'raw_properties end') -}}
{% endmacro %}
