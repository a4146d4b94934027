{#-
    Every var of the project is read through these macros, so each is validated in one place.
    `setting(name)` returns a validated numeric var; `as_of_literal()` returns the as_of timestamp
    as a SQL literal; `validate_vars()` (on-run-start) checks them all before any model runs.
-#}

{% macro _numeric_var_rules() %}
    {#- name: [minimum, maximum, unit shown in the error message] -#}
    {{ return({
        'incremental_lookback_hours': [0, 8760, 'hours'],
        'max_clock_skew_hours': [0, 8760, 'hours'],
        'abandoned_after_days': [1, 3650, 'days'],
        'conversion_window_days': [1, 3650, 'days'],
        'started_no_credentials_after_hours': [0, 8760, 'hours'],
        'credentials_no_connection_after_hours': [0, 8760, 'hours'],
        'connected_no_data_after_hours': [0, 8760, 'hours'],
        'domain_verification_pending_after_hours': [0, 8760, 'hours'],
        'repeated_error_window_hours': [0, 8760, 'hours'],
        'reconnect_loop_window_hours': [0, 8760, 'hours'],
        'reconnect_loop_lookback_days': [1, 3650, 'days'],
        'high_intent_lookback_days': [1, 3650, 'days'],
        'high_intent_no_progress_hours': [0, 8760, 'hours'],
        'needs_admin_after_hours': [0, 8760, 'hours'],
        'success_handoff_within_days': [1, 3650, 'days'],
        'confirmation_after_minutes': [0, 525600, 'minutes'],
        'confirmation_until_hours': [0, 8760, 'hours'],
        'in_session_minutes': [0, 525600, 'minutes'],
        'frequency_cap_hours': [0, 8760, 'hours'],
        'holdout_percent': [0, 100, 'percent'],
        'max_export_shrink_percent': [0, 100, 'percent'],
        'incremental_account_buckets': [1, 100000, 'buckets'],
    }) }}
{% endmacro %}


{% macro setting(name) %}
    {%- set rules = _numeric_var_rules() -%}
    {%- if name not in rules -%}
        {{ exceptions.raise_compiler_error("setting('" ~ name ~ "') is not a known threshold var. Known: " ~ (rules.keys() | sort | join(', ')) ~ ".") }}
    {%- endif -%}
    {%- set low, high, unit = rules[name] -%}
    {%- set value = var(name) -%}
    {%- if value is string and (value | float(none)) is not none -%}
        {#- --vars from a shell may arrive as text: accept '12' and '1.5'. -#}
        {%- set value = value | float -%}
    {%- endif -%}
    {%- if value is boolean or value is not number -%}
        {{ exceptions.raise_compiler_error(
            "Var '" ~ name ~ "' must be a number of " ~ unit ~ " between " ~ low ~ " and " ~ high
            ~ ", but it is '" ~ value ~ "'. Fix it in dbt_project.yml or pass e.g. --vars '{" ~ name ~ ": " ~ low ~ "}'."
        ) }}
    {%- endif -%}
    {%- if value < low or value > high -%}
        {{ exceptions.raise_compiler_error(
            "Var '" ~ name ~ "' must be between " ~ low ~ " and " ~ high ~ " " ~ unit ~ ", but it is " ~ value
            ~ ". Fix it in dbt_project.yml or pass a value in range with --vars."
        ) }}
    {%- endif -%}
    {{- return(value) -}}
{% endmacro %}


{% macro as_of_datetime() %}
    {#- The as_of var as a Python datetime (UTC, naive). Null or 'now' = the run's start time. -#}
    {%- set raw = var('as_of', none) -%}
    {%- if raw is none or (raw is string and raw.strip() | lower in ('', 'now', 'none', 'null')) -%}
        {{- return(run_started_at.replace(tzinfo=none, microsecond=0)) -}}
    {%- endif -%}
    {%- if raw.strftime is defined -%}
        {#- YAML already parsed it: a datetime, or a date (midnight). -#}
        {%- if raw.hour is defined -%}
            {{- return(raw.replace(tzinfo=none)) -}}
        {%- endif -%}
        {{- return(modules.datetime.datetime(raw.year, raw.month, raw.day)) -}}
    {%- endif -%}
    {%- set text = (raw | string).strip() -%}
    {%- for fmt in ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%d %H:%M', '%Y-%m-%d'] -%}
        {%- set parsed = _try_strptime(text, fmt) -%}
        {%- if parsed is not none -%}
            {{- return(parsed) -}}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "Var 'as_of' must be a UTC timestamp like '2026-03-10 12:00:00' (or a date like '2026-03-10', or null for now), but it is '"
        ~ text ~ "'. Pass it as --vars '{as_of: \"2026-03-10 12:00:00\"}'."
    ) }}
{% endmacro %}


{% macro _try_strptime(text, fmt) %}
    {#- Jinja cannot catch exceptions: check the shape first, then parse. -#}
    {%- set patterns = {
        '%Y-%m-%d %H:%M:%S': '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$',
        '%Y-%m-%dT%H:%M:%S': '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$',
        '%Y-%m-%dT%H:%M:%SZ': '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$',
        '%Y-%m-%d %H:%M': '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}$',
        '%Y-%m-%d': '^\\d{4}-\\d{2}-\\d{2}$',
    } -%}
    {%- if modules.re.match(patterns[fmt], text) is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set parts = modules.re.findall('\\d+', text) | map('int') | list -%}
    {%- set year, month, day = parts[0], parts[1], parts[2] -%}
    {%- set hour = parts[3] if parts | length > 3 else 0 -%}
    {%- set minute = parts[4] if parts | length > 4 else 0 -%}
    {%- set second = parts[5] if parts | length > 5 else 0 -%}
    {%- set month_days = [31, 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
    {%- if month < 1 or month > 12 or day < 1 or day > month_days[month - 1] or hour > 23 or minute > 59 or second > 59 -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(modules.datetime.datetime(year, month, day, hour, minute, second)) -}}
{% endmacro %}


{% macro as_of_literal() %}
    {#- The as_of timestamp as a SQL expression; every model reads as_of through this macro. -#}
    {{- return("cast('" ~ as_of_datetime().strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ dbt.type_timestamp() ~ ")") -}}
{% endmacro %}


{% macro validate_vars() %}
    {#- on-run-start: fail the whole run before any model when a var is malformed. -#}
    {%- set _ = as_of_datetime() -%}
    {%- for name in _numeric_var_rules() -%}
        {%- set _ = setting(name) -%}
    {%- endfor -%}
    {%- set tiers = var('high_value_plan_tiers') -%}
    {%- if tiers is string or tiers is not iterable or tiers | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "Var 'high_value_plan_tiers' must be a non-empty list of plan tiers, e.g. --vars '{high_value_plan_tiers: [enterprise]}', but it is '" ~ tiers ~ "'."
        ) }}
    {%- endif -%}
    {%- for tier in tiers -%}
        {%- if tier not in ['free', 'starter', 'pro', 'enterprise'] -%}
            {{ exceptions.raise_compiler_error(
                "Var 'high_value_plan_tiers' may only hold free, starter, pro or enterprise, but it holds '" ~ tier ~ "'."
            ) }}
        {%- endif -%}
    {%- endfor -%}
    select 1 as vars_are_valid
{% endmacro %}


{% macro sql_list(values) %}
    {#- A list of strings as a SQL list literal: ('a', 'b'). -#}
    ({%- for value in values -%}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{%- endfor -%})
{% endmacro %}
