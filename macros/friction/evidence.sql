{#-
    The evidence sentence of a friction segment, from its catalog template
    (friction_segment_catalog.evidence_template): each `{name}` placeholder is replaced by the
    text of the matching SQL expression in `values`. A placeholder whose value is null makes the
    whole sentence null (as string concatenation does), so the mart reads fill_evidence_template()
    then evidence_or_null().
-#}

{% macro fill_evidence_template(template, values) %}
    {%- set ns = namespace(sql=template) -%}
    {%- for placeholder, expression in values.items() -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", '{" ~ placeholder ~ "}', coalesce(cast(" ~ expression ~ " as "
            ~ dbt.type_string() ~ "), '{null}'))" -%}
    {%- endfor -%}
    {{- return(ns.sql) -}}
{% endmacro %}


{% macro evidence_or_null(filled) %}
    {#- A sentence that still holds `{null}` had a null value: null, like the concatenation it replaces. -#}
    {{- return("case when " ~ filled ~ " not like '%{null}%' then " ~ filled ~ " end") -}}
{% endmacro %}
