{#
  Session mode loads seed rows through one DataFrame write, each value cast in Spark from its
  exact CSV text: fast, and exact for every type (decimal(38,10), int64, timestamps...).
  `method: dbsql` keeps dbt-databricks' insert statements.
#}
{% macro databricks_session__load_csv_rows(model, agate_table) %}
  {% if not adapter.is_session_mode() %}
    {{ return(databricks__load_csv_rows(model, agate_table)) }}
  {% endif %}

  {% set column_override = model['config'].get('column_types', {}) %}
  {% set columns = [] %}
  {% for col_name in agate_table.column_names %}
    {% set inferred_type = adapter.convert_type(agate_table, loop.index0) %}
    {% do columns.append((col_name | string, column_override.get(col_name, inferred_type))) %}
  {% endfor %}

  {{ return(adapter.load_seed_rows(this, agate_table, columns)) }}
{% endmacro %}
