{#
  Spark's session catalog (`spark_catalog`, the Hive metastore) accepts at most two name parts
  after RENAME TO, so in the Hive metastore the target is written as schema.identifier.
#}
{% macro databricks_session__rename_relation(from_relation, to_relation) -%}
  {% if to_relation.is_hive_metastore() %}
    {% set to_relation = to_relation.include(database=False) %}
  {% endif %}
  {{ spark__rename_relation(from_relation, to_relation) }}
{%- endmacro %}

{% macro databricks_session__get_rename_view_sql(relation, new_name) %}
  {%- set catalog_prefix = '`' ~ relation.database ~ '`.' -%}
  {%- if relation.is_hive_metastore() and new_name.startswith(catalog_prefix) -%}
    {%- set new_name = new_name[catalog_prefix | length:] -%}
  {%- endif -%}
  {{ databricks__get_rename_view_sql(relation, new_name) }}
{% endmacro %}
