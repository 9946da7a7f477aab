{#
  Column comments (`persist_docs: {columns: true}`): dbt-databricks writes them on Delta and Hudi
  tables only and skips every other format with a debug-level line. Spark keeps column comments
  on tables of every format it writes (parquet, orc, csv, ... in the Hive metastore), so in
  session mode they are written whatever the format, with upstream's statement
  (`ALTER TABLE ... ALTER COLUMN ... COMMENT` on open-source Spark). `method: dbsql` is upstream's.
#}
{% macro databricks_session__alter_column_comment(relation, column_dict) %}
  {% if not adapter.is_session_mode() or adapter.resolve_file_format(config) in ['delta', 'hudi'] %}
    {{ return(databricks__alter_column_comment(relation, column_dict)) }}
  {% endif %}
  {% for column in column_dict.values() %}
    {% set escaped_comment = column['description'] | replace('\'', '\\\'') %}
    {% set column_path = relation.render() ~ '.' ~ adapter.quote(column['name']) %}
    {{ run_query_as(comment_on_column_sql(column_path, escaped_comment), 'alter_column_comment', fetch_result=False) }}
  {% endfor %}
{% endmacro %}
