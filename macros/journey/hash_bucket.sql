{#-
    A stable bucket 0..buckets-1 of a key, for the journey holdout: the first 8 hex digits of
    the stable_hash (md5) read as an integer, modulo `buckets`. Same key, same bucket, in every
    run and on every engine (an engine's own hash() is not stable across versions).
-#}

{% macro hash_bucket(expression, buckets=100) %}
    {{ return(adapter.dispatch('hash_bucket', 'setup_journeys')(expression, buckets)) }}
{% endmacro %}

{% macro default__hash_bucket(expression, buckets) %}
    {{ return(setup_journeys.spark__hash_bucket(expression, buckets)) }}
{% endmacro %}

{% macro spark__hash_bucket(expression, buckets) %}
    {#- Spark / Databricks: conv() turns hex text into a decimal string. -#}
    (cast(conv(substr({{ stable_hash([expression]) }}, 1, 8), 16, 10) as bigint) % {{ buckets }})
{% endmacro %}

{% macro duckdb__hash_bucket(expression, buckets) %}
    (cast(('0x' || substr({{ stable_hash([expression]) }}, 1, 8)) as bigint) % {{ buckets }})
{% endmacro %}

{% macro postgres__hash_bucket(expression, buckets) %}
    (cast(cast(('x' || substr({{ stable_hash([expression]) }}, 1, 8)) as bit(32)) as bigint) % {{ buckets }})
{% endmacro %}

{% macro trino__hash_bucket(expression, buckets) %}
    (from_base(substr({{ stable_hash([expression]) }}, 1, 8), 16) % {{ buckets }})
{% endmacro %}
