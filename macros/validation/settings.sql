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
        'confirmation_max_age_hours': [0, 8760, 'hours'],
        'stalled_help_max_age_windows': [0, 100, 'reminder windows'],
        'message_max_age_hours': [0, 8760, 'hours'],
        'holdout_percent': [0, 100, 'percent'],
        'max_export_shrink_percent': [0, 100, 'percent'],
        'incremental_account_buckets': [1, 100000, 'buckets'],
        'message_outcome_window_hours': [1, 8760, 'hours'],
        'message_error_recurrence_window_hours': [1, 8760, 'hours'],
        'status_view_followup_hours': [1, 8760, 'hours'],
        'lift_holdout_percent': [0, 100, 'percent'],
        'lift_min_setups_per_group': [1, 1000000, 'setups'],
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


{% macro _other_var_names() %}
    {#- Vars that are not numeric thresholds; with _numeric_var_rules(), every var the project knows. -#}
    {{ return(['as_of', 'min_occurred_at', 'high_value_plan_tiers']) }}
{% endmacro %}


{% macro known_var_names() %}
    {{ return((_numeric_var_rules().keys() | list) + _other_var_names()) }}
{% endmacro %}


{% macro _bigrams(text) %}
    {%- set pairs = [] -%}
    {%- for index in range((text | length) - 1) -%}
        {%- do pairs.append(text[index:index + 2]) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{% endmacro %}


{% macro closest_var_name(name) %}
    {#- The known var most like `name` (Dice coefficient of character bigrams): for error messages. -#}
    {%- set wanted = _bigrams(name | lower) -%}
    {%- set best = {'name': none, 'score': -1} -%}
    {%- for candidate in known_var_names() | sort -%}
        {%- set pairs = _bigrams(candidate) -%}
        {%- set shared = wanted | select('in', pairs) | list | length -%}
        {%- set score = (2.0 * shared) / ((wanted | length) + (pairs | length) or 1) -%}
        {%- if score > best['score'] -%}
            {%- do best.update({'name': candidate, 'score': score}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(best['name']) }}
{% endmacro %}


{% macro validate_var_names() %}
    {#- A var passed with --vars that the project does not know is a typo: it would be ignored silently. -#}
    {%- set passed = invocation_args_dict.get('vars') or {} -%}
    {%- if passed is mapping -%}
        {%- for name in passed if name not in known_var_names() -%}
            {{ exceptions.raise_compiler_error(
                "Var '" ~ name ~ "' passed with --vars is not a var of this project, so it would be ignored. "
                ~ "Did you mean '" ~ closest_var_name(name) ~ "'? The vars are listed in dbt_project.yml and the README (Configuration)."
            ) }}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}


{% macro as_of_datetime() %}
    {#-
        The as_of var as a Python datetime (UTC, naive). Null or 'now' = the run's start time.
        When the var is not set, the environment variable SETUP_JOURNEYS_AS_OF may pin it instead
        (the `setup-journeys` commands do): it is read only while dbt executes, never while it
        parses, so a new as_of each night keeps dbt's partial parsing, which a changed --vars
        drops (a full parse of the project: about 10 s a run). The var wins when both are set.
    -#}
    {%- set raw = var('as_of', none) -%}
    {%- set env_name = none -%}
    {%- if _means_now(raw) and execute -%}
        {%- set env_name = 'SETUP_JOURNEYS_AS_OF' -%}
        {%- set raw = env_var(env_name, '') -%}
    {%- endif -%}
    {%- if _means_now(raw) -%}
        {{- return(run_started_at.replace(tzinfo=none, microsecond=0)) -}}
    {%- endif -%}
    {{- return(timestamp_var('as_of', raw, "or a date like '2026-03-10', or " ~ ('empty' if env_name else 'null')
                             ~ " for now", env_name)) -}}
{% endmacro %}


{% macro _means_now(raw) %}
    {#- An as_of value that means the run's start: null, '', 'now', 'none' or 'null'. -#}
    {{- return(raw is none or (raw is string and raw.strip() | lower in ('', 'now', 'none', 'null'))) -}}
{% endmacro %}


{% macro min_occurred_at_literal() %}
    {#- Events that happened before this floor are quarantined (occurred_before_floor). -#}
    {%- set parsed = timestamp_var('min_occurred_at', var('min_occurred_at'), "or a date like '2000-01-01'") -%}
    {{- return("cast('" ~ parsed.strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ dbt.type_timestamp() ~ ")") -}}
{% endmacro %}


{% macro timestamp_var(name, raw, alternatives, env_name=none) %}
    {#- A var holding a UTC timestamp, as a Python datetime; a malformed value stops the run.
        env_name: the environment variable the value came from, when not --vars (for the message). -#}
    {%- set subject = "Var '" ~ name ~ "'" ~ (" (from the environment variable " ~ env_name ~ ")" if env_name else "") -%}
    {%- if raw is none -%}
        {{ exceptions.raise_compiler_error(subject ~ " must be a UTC timestamp like '2026-03-10 12:00:00' (" ~ alternatives ~ "), but it is null.") }}
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
        subject ~ " must be a UTC timestamp like '2026-03-10 12:00:00' (" ~ alternatives ~ "), but it is '"
        ~ text ~ "'. " ~ ("Set it like " ~ env_name ~ "='2026-03-10 12:00:00'." if env_name
                          else "Pass it as --vars '{" ~ name ~ ": \"2026-03-10 12:00:00\"}'.")
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
    {#- on-run-start: fail the whole run before any model when a var is unknown or malformed. -#}
    {%- set _ = validate_var_names() -%}
    {%- set _ = as_of_datetime() -%}
    {%- set _ = min_occurred_at_literal() -%}
    {%- for name in _numeric_var_rules() -%}
        {%- set _ = setting(name) -%}
    {%- endfor -%}
    {%- set tiers = var('high_value_plan_tiers') -%}
    {%- if tiers is string or tiers is not iterable or tiers | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "Var 'high_value_plan_tiers' must be a non-empty list of plan tiers, e.g. --vars '{high_value_plan_tiers: [enterprise]}', but it is '" ~ tiers ~ "'."
        ) }}
    {%- endif -%}
    {#- The tiers themselves are checked against the plan_tiers seed once it is loaded (below, and by
        the singular test assert_high_value_plan_tiers_known on the very first build). -#}
    {%- set known_tiers = seed_values('plan_tiers', 'plan_tier') -%}
    {%- for tier in tiers if known_tiers is not none and tier not in known_tiers -%}
        {{ exceptions.raise_compiler_error(
            "Var 'high_value_plan_tiers' may only hold plan tiers of the plan_tiers seed ("
            ~ known_tiers | join(', ') ~ "), but it holds '" ~ tier ~ "'."
        ) }}
    {%- endfor -%}
    select 1 as vars_are_valid
{% endmacro %}


{% macro sql_list(values) %}
    {#- A list of strings as a SQL list literal: ('a', 'b'). -#}
    ({%- for value in values -%}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{%- endfor -%})
{% endmacro %}


{% macro seed_values(seed_name, column) %}
    {#- The values of one column of a loaded seed (the home of a closed vocabulary), or none before
        the seed is loaded or at parse time. -#}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set seed_node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'seed')
        | selectattr('name', 'equalto', seed_name) | first -%}
    {%- set relation = adapter.get_relation(database=seed_node.database, schema=seed_node.schema, identifier=seed_node.alias) -%}
    {%- if relation is not none -%}
        {{ return(run_query('select ' ~ column ~ ' from ' ~ relation).columns[0].values() | list) }}
    {%- endif -%}
    {#- Not loaded yet (the first run on a new warehouse): read the seed's file where the engine can. -#}
    {%- set project_dir = invocation_args_dict.get('project_dir') or '.' -%}
    {{ return(adapter.dispatch('seed_file_values', 'setup_journeys')(project_dir ~ '/' ~ seed_node.original_file_path, column)) }}
{% endmacro %}


{% macro default__seed_file_values(path, column) %}
    {#- Engines that cannot read a local file: the singular tests on the seeds catch it after seeding. -#}
    {{ return(none) }}
{% endmacro %}


{% macro duckdb__seed_file_values(path, column) %}
    {{ return(run_query("select " ~ column ~ " from read_csv('" ~ path ~ "', header = true, all_varchar = true)").columns[0].values() | list) }}
{% endmacro %}
