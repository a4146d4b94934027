{#-
    dbt's cast(), with the type read through the adapter's own type labels (api.Column.translate_type),
    so a contract or a unit-test fixture can say `string` and get VARCHAR/TEXT on DuckDB and
    PostgreSQL and STRING on Spark (where a bare `varchar` is rejected). Types that are not a generic
    label pass through unchanged. Overrides dbt's default__cast for every adapter of this project.
-#}
{% macro default__cast(field, type) %}
    cast({{ field }} as {{ api.Column.translate_type(type) }})
{% endmacro %}
