{#
  Features a session cannot provide fail before any SQL runs, naming the feature and why.
  Where the session can provide them, each wrapper hands over to dbt-databricks unchanged.
#}

{% materialization snapshot, adapter='databricks_session' %}
  {% do adapter.require_delta('Snapshots (they MERGE changes into the snapshot table)') %}
  {{ return(materialization_snapshot_databricks()) }}
{% endmaterialization %}

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

{#- `grants: {select: []}` names no grantee: on open-source Spark, which has no grants to revoke,
    there is nothing to do; on a runtime it revokes, as upstream does. -#}
{% macro databricks_session__apply_grants(relation, grant_config, should_revoke=True) %}
  {% set grantees = (grant_config or {}).values() | select | list %}
  {% if grantees %}
    {% do adapter.require_databricks_runtime('Grants (Unity Catalog or table access control)') %}
  {% elif grant_config and adapter.is_open_source_spark() %}
    {{ return(none) }}
  {% endif %}
  {{ return(default__apply_grants(relation, grant_config, should_revoke)) }}
{% endmacro %}

{#- Python functions (`CREATE FUNCTION ... LANGUAGE PYTHON AS $$ ... $$`) are Unity Catalog's:
    open-source Spark's parser has no such clause. SQL functions need nothing of the kind. -#}
{% macro databricks_session__scalar_function_python(target_relation) %}
  {% do adapter.require_databricks_runtime('Python functions (`LANGUAGE PYTHON` UDFs, Unity Catalog only)') %}
  {{ return(databricks__scalar_function_python(target_relation)) }}
{% endmacro %}
