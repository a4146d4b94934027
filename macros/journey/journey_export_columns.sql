{#-
    The columns of export_journey_due (and journey_suppressions), with explicit types so the
    enforced contract holds on every engine. One list, read by both models: the export and its
    suppressions never drift apart. Order and names are the contract of the reverse-ETL syncs.
-#}
{% macro journey_export_columns(relation) %}
    {%- set string = dbt.type_string() -%}
    {%- set columns = [
        ('sync_key', string),
        ('account_id', string),
        ('integration_type', string),
        ('journey_step', string),
        ('reminder_number', 'integer'),
        ('recipient_user_id', string),
        ('recipient_email', string),
        ('recipient_role', string),
        ('channel', string),
        ('template_id', string),
        ('priority', 'integer'),
        ('due_at', dbt.type_timestamp()),
        ('expires_at', dbt.type_timestamp()),
        ('workspace_name', string),
        ('integration_display_name', string),
        ('setup_path', string),
        ('last_completed_step', string),
        ('next_required_step', string),
        ('next_action', string),
        ('error_code', string),
        ('error_class', string),
        ('environment', string),
        ('last_progress_at', dbt.type_timestamp()),
        ('alert_reason', string),
        ('starter_role', string),
        ('restart_count', 'integer'),
        ('error_count', 'integer'),
        ('reconnect_attempt_count', 'integer'),
        ('docs_view_count', 'integer'),
        ('messages_sent_count', 'integer'),
        ('last_message_journey_step', string),
        ('as_of', dbt.type_timestamp()),
    ] -%}
    {%- for name, data_type in columns %}
        cast({{ relation }}.{{ name }} as {{ data_type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{% endmacro %}
