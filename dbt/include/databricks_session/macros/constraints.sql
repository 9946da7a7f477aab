{#
  Open-source Delta Lake cannot make an existing column NOT NULL (ALTER ... SET NOT NULL fails:
  "Cannot change nullable column to non-nullable"), which is how dbt-databricks applies not_null
  constraints after building a table. On open-source Spark each not_null constraint becomes the
  CHECK constraint `<column> IS NOT NULL` instead, which Delta enforces on every write just the
  same (and checks against the rows already there). Primary and foreign keys are Unity Catalog
  constraints: they fail with one clear error. Everything else is upstream's SQL.
#}
{% macro databricks_session__alter_column_set_constraints(relation, model) %}
  {% if not adapter.is_open_source_spark() %}
    {{ return(databricks__alter_column_set_constraints(relation, model)) }}
  {% endif %}
  {% for column_name, column in model.columns.items() %}
    {% do run_open_source_constraints(relation, get_column_constraints(column), model, column) %}
  {% endfor %}
{% endmacro %}

{% macro databricks_session__alter_table_add_constraints(relation, model) %}
  {% if not adapter.is_open_source_spark() %}
    {{ return(databricks__alter_table_add_constraints(relation, model)) }}
  {% endif %}
  {% do run_open_source_constraints(relation, get_model_constraints(model), model) %}
{% endmacro %}

{% macro run_open_source_constraints(relation, constraints, model, column={}) %}
  {% set statements = [] %}
  {% for constraint in constraints %}
    {% if constraint.get('type') in ('primary_key', 'foreign_key') %}
      {% do adapter.require_databricks_runtime(
        'Primary and foreign key constraints (Unity Catalog informational constraints)'
      ) %}
    {% elif constraint.get('type') == 'not_null' %}
      {% for name in constraint.get('columns') or [column.get('name')] %}
        {% do statements.append(
          'alter table ' ~ relation.render() ~ ' add constraint ' ~ adapter.quote(name ~ '_not_null')
          ~ ' check (' ~ adapter.quote(name) ~ ' is not null)'
        ) %}
      {% endfor %}
    {% endif %}
  {% endfor %}
  {% set others = constraints | rejectattr('type', 'in', ['not_null', 'primary_key', 'foreign_key']) | list %}
  {% do statements.extend(get_constraints_sql(relation, others, model, column)) %}
  {% for stmt in statements %}
    {% call statement() %}
      {{ stmt }}
    {% endcall %}
  {% endfor %}
{% endmacro %}
