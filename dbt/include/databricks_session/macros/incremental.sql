{#
  Upstream defaults every incremental model to `merge`, which needs Delta. In a session without
  Delta (open-source local Spark) a model with no strategy and no unique_key appends instead, as
  dbt-spark does; with a unique_key it keeps `merge`, so upstream's validation names the problem.
#}
{% macro get_incremental_strategy(file_format) %}
  {% set raw_strategy = config.get('incremental_strategy') %}
  {% if raw_strategy is none %}
    {% set no_merge_here = adapter.is_session_mode() and file_format not in ['delta', 'hudi'] %}
    {% set raw_strategy = 'append' if no_merge_here and config.get('unique_key') is none else 'merge' %}
  {% endif %}
  {% do return(dbt_databricks_validate_get_incremental_strategy(raw_strategy, file_format)) %}
{% endmacro %}
