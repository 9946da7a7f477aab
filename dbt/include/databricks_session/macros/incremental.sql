{#
  Upstream defaults every incremental model to `merge`, which needs Delta. In a session without
  Delta (open-source local Spark) a model with no strategy and no unique_key appends instead, as
  dbt-spark does; with a unique_key it keeps `merge`. A Delta-only strategy in a session without
  Delta fails naming that (upstream's "set file_format to 'delta'" cannot help there). A strategy
  that is neither built in nor a project's `get_incremental_<name>_sql` macro fails on every run,
  the first one included (upstream looks the macro up only when there is a table to merge into).
#}
{% macro get_incremental_strategy(file_format) %}
  {% set raw_strategy = config.get('incremental_strategy') %}
  {% if raw_strategy is none %}
    {% set no_merge_here = adapter.is_session_mode() and file_format not in ['delta', 'hudi'] %}
    {% set raw_strategy = 'append' if no_merge_here and not config.get('unique_key') else 'merge' %}
  {% endif %}
  {% if raw_strategy in ['merge', 'replace_where', 'microbatch', 'delete+insert'] and file_format != 'delta' %}
    {% do adapter.require_delta("The incremental strategy '" ~ raw_strategy ~ "'") %}
  {% endif %}
  {% if raw_strategy not in adapter.valid_incremental_strategies() %}
    {% do adapter.get_incremental_strategy_macro(context, raw_strategy) %}
  {% endif %}
  {% do return(dbt_databricks_validate_get_incremental_strategy(raw_strategy, file_format)) %}
{% endmacro %}

{#
  delete+insert on clusters before DBR 17.1 deletes with `WHERE key IN (SELECT ...)`, and
  open-source Delta Lake cannot DELETE with a subquery (DELTA_UNSUPPORTED_SUBQUERY). On
  open-source Spark the same rows are deleted by a MERGE ... WHEN MATCHED THEN DELETE on the same
  keys (`=` for one key, as IN compares; `<=>` for several, as upstream's EXISTS does) and the
  same predicates, which still name the target's columns: the source offers only renamed keys.
  The insert is upstream's.
#}
{% macro databricks_session__get_incremental_delete_insert_sql(arg_dict) %}
  {% set statements = databricks__get_incremental_delete_insert_sql(arg_dict) %}
  {% if not adapter.is_open_source_spark() %}
    {% do return(statements) %}
  {% endif %}
  {% set target_relation = arg_dict['target_relation'] %}
  {% set unique_key = config.require('unique_key') %}
  {% set unique_keys = [unique_key] if unique_key is string else unique_key %}
  {% set compare = '=' if unique_keys | length == 1 else '<=>' %}
  {% set keys, matches = [], [] %}
  {% for key in unique_keys %}
    {% do keys.append(adapter.quote(key) ~ ' as __dbt_key_' ~ loop.index) %}
    {% do matches.append(target_relation ~ '.' ~ adapter.quote(key) ~ ' ' ~ compare ~ ' DBT_INTERNAL_SOURCE.__dbt_key_' ~ loop.index) %}
  {% endfor %}
  {% set predicates = config.get('incremental_predicates') or [] %}
  {% set predicates = [predicates] if predicates is string else predicates %}
  {% set delete_sql -%}
merge into {{ target_relation }}
using (select distinct {{ keys | join(', ') }} from {{ arg_dict['temp_relation'] }}) as DBT_INTERNAL_SOURCE
on {{ matches | join(' and ') }}
when matched{% for predicate in predicates %} and ({{ predicate }}){% endfor %} then delete
  {%- endset %}
  {% do return([delete_sql, statements[1]]) %}
{% endmacro %}

{#
  insert_overwrite: open-source Spark has no `INSERT ... REPLACE ON`, so upstream falls back to
  its legacy dynamic-partition `INSERT OVERWRITE` and warns on every model that "this cluster's
  DBR version" lacks it (behaviour flag `use_replace_on_for_insert_overwrite`), which names a
  runtime that is not there. On open-source Spark this emits that same legacy statement, without
  the warning; on a Databricks runtime it is upstream's, unchanged.
#}
{% macro databricks_session__get_insert_overwrite_merge_sql(target, source, dest_columns, predicates, include_sql_header) %}
  {% if not adapter.is_open_source_spark() %}
    {{ return(databricks__get_insert_overwrite_merge_sql(target, source, dest_columns, predicates, include_sql_header)) }}
  {% endif %}
  {%- set has_insert_by_name = adapter.has_dbr_capability('insert_by_name') -%}
  insert overwrite table {{ target }}
  {{ partition_cols(label="partition") }}
  {%- if has_insert_by_name %} by name{% endif %}
  select * from {{ source }}
{% endmacro %}
