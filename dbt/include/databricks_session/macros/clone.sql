{#
  dbt clone. Where the session has Delta, a table is cloned as a Delta shallow clone (as on
  Databricks); without Delta (open-source Spark on parquet) nothing can be cloned, and dbt clone
  makes each node a view over its state relation instead, as dbt does on every warehouse that
  cannot clone.
#}
{% macro databricks_session__can_clone_table() %}
  {{ return(adapter.session_has_delta()) }}
{% endmacro %}

{#
  A node whose state relation is the very relation it would clone into (`dbt clone --state`
  with the same target) is left alone in session mode, as dbt's default clone does: dbt-databricks
  would replace the table with a clone of itself, and on open-source Spark the table is dropped
  before it is cloned (below), which would lose it. `method: dbsql` is upstream's.
#}
{% materialization clone, adapter='databricks_session' %}
  {% if adapter.is_session_mode() and defer_relation and this.database == defer_relation.database
        and this.schema == defer_relation.schema and this.identifier == defer_relation.identifier %}
    {{ log("Target relation and defer relation are the same, skipping clone for relation: " ~ this.render()) }}
    {{ return({'relations': []}) }}
  {% endif %}
  {{ return(materialization_clone_databricks()) }}
{% endmaterialization %}

{#
  Open-source Delta Lake clones only onto an empty destination (DELTA_UNSUPPORTED_NON_EMPTY_CLONE),
  where Databricks replaces a table in place: there the table `dbt clone --full-refresh` replaces
  is dropped first.
#}
{% macro databricks_session__create_or_replace_clone(this_relation, defer_relation) %}
  {% if adapter.is_open_source_spark() %}
    {% set existing = adapter.get_relation(this_relation.database, this_relation.schema, this_relation.identifier) %}
    {% if existing is not none %}
      {% do adapter.drop_relation(existing) %}
    {% endif %}
  {% endif %}
  {{ return(databricks__create_or_replace_clone(this_relation, defer_relation)) }}
{% endmacro %}

{#
  dbt clone makes a view where it cannot clone a table, through the materialization named
  `materialization_view_<adapter type>`; without this one it would take dbt's default view
  materialization instead of dbt-databricks' (and fail on its configs).
#}
{% materialization view, adapter='databricks_session' %}
  {{ return(materialization_view_databricks()) }}
{% endmaterialization %}
