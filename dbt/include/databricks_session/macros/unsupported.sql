{#
  Features a session cannot provide fail before any SQL runs, naming the feature and why.
  Where the session can provide them, each wrapper hands over to dbt-databricks unchanged.
#}

{% materialization snapshot, adapter='databricks_session' %}
  {% do adapter.require_delta('Snapshots (they MERGE changes into the snapshot table)') %}
  {{ return(materialization_snapshot_databricks()) }}
{% endmaterialization %}

{% materialization clone, adapter='databricks_session' %}
  {% do adapter.require_delta('dbt clone (it creates Delta shallow clones)') %}
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

{% materialization materialized_view, adapter='databricks_session' %}
  {% do adapter.require_dbsql('Materialized views') %}
  {{ return(materialization_materialized_view_databricks()) }}
{% endmaterialization %}

{% materialization streaming_table, adapter='databricks_session' %}
  {% do adapter.require_dbsql('Streaming tables') %}
  {{ return(materialization_streaming_table_databricks()) }}
{% endmaterialization %}

{% materialization metric_view, adapter='databricks_session' %}
  {% do adapter.require_databricks_runtime('Metric views (CREATE VIEW ... WITH METRICS)') %}
  {{ return(materialization_metric_view_databricks()) }}
{% endmaterialization %}

{% macro databricks_session__apply_grants(relation, grant_config, should_revoke=True) %}
  {% if grant_config %}
    {% do adapter.require_databricks_runtime('Grants (Unity Catalog or table access control)') %}
  {% endif %}
  {{ return(default__apply_grants(relation, grant_config, should_revoke)) }}
{% endmacro %}

{#
  dbt clone makes a view where it cannot clone a table, through the materialization named
  `materialization_view_<adapter type>`; without this one it would take dbt's default view
  materialization instead of dbt-databricks' (and fail on its configs).
#}
{% materialization view, adapter='databricks_session' %}
  {{ return(materialization_view_databricks()) }}
{% endmaterialization %}
