{#
  `on_schema_change: sync_all_columns` drops the columns a model no longer selects. Only Delta
  tables can drop columns; without Delta (open-source Spark: parquet tables) this fails with one
  clear error naming the columns, before any ALTER TABLE is sent (Spark's own answer is
  an UNSUPPORTED_FEATURE error about the catalog implementation).
#}
{% macro databricks_session__alter_relation_add_remove_columns(relation, add_columns, remove_columns) %}
  {% if remove_columns %}
    {% set names = remove_columns | map(attribute='name') | join(', ') %}
    {% do adapter.require_delta(
      "on_schema_change 'sync_all_columns' dropping columns (" ~ names ~ ") from " ~ relation
    ) %}
  {% endif %}
  {{ return(databricks__alter_relation_add_remove_columns(relation, add_columns, remove_columns)) }}
{% endmacro %}
