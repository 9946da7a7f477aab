"""Delta features dbt-tests-adapter has no suite for, through dbt-databricks' own macros on
local Spark with Delta: replace_where, insert_overwrite, table properties, liquid clustering,
and snapshot hard deletes, each over two runs."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.util import run_dbt, run_dbt_and_capture

pytestmark = [pytest.mark.delta, pytest.mark.usefixtures("delta_only")]

FIRST_OR_SECOND = "{% if is_incremental() %}'second'{% else %}'first'{% endif %}"

REPLACE_WHERE = f"""
{{{{ config(materialized='incremental', incremental_strategy='replace_where',
           incremental_predicates=["day >= 2"]) }}}}
select day, {FIRST_OR_SECOND} as run from values (1), (2), (3) as t(day)
{{% if is_incremental() %}} where day >= 2 {{% endif %}}
"""

INSERT_OVERWRITE = f"""
{{{{ config(materialized='incremental', incremental_strategy='insert_overwrite',
           partition_by=['day']) }}}}
select {FIRST_OR_SECOND} as run, day from values (1), (2), (3) as t(day)
{{% if is_incremental() %}} where day = 3 {{% endif %}}
"""

PROPERTIES = """
{{ config(materialized='table', tblproperties={'delta.enableChangeDataFeed': 'true',
          'team': 'analytics'}, liquid_clustered_by=['id']) }}
select 1 as id
"""

SNAPSHOT = """
{% snapshot people_snapshot %}
{{ config(unique_key='id', strategy='check', check_cols=['name'], hard_deletes='invalidate',
          target_schema=target.schema) }}
select * from {{ target.schema }}.people
{% endsnapshot %}
"""


class TestDeltaStrategies:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "by_replace_where.sql": REPLACE_WHERE,
            "by_insert_overwrite.sql": INSERT_OVERWRITE,
            "with_properties.sql": PROPERTIES,
        }

    @pytest.fixture(scope="class")
    def snapshots(self) -> dict[str, str]:
        return {"people_snapshot.sql": SNAPSHOT}

    def rows(self, project: Any, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in project.run_sql(sql, fetch="all")]

    def test_replace_where_and_insert_overwrite_replace_only_their_rows(self, project: Any) -> None:
        run_dbt(["run"])
        _, output = run_dbt_and_capture(
            ["run", "--select", "by_replace_where", "by_insert_overwrite"]
        )
        # Upstream's fallback warning names a DBR version; open-source Spark has none.
        assert "REPLACE ON" not in output and "DBR version" not in output, output
        schema = project.test_schema
        expected_replace = [(1, "first"), (2, "second"), (3, "second")]
        assert self.rows(project, f"select * from {schema}.by_replace_where order by day") == (
            expected_replace
        )
        expected_overwrite = [("first", 1), ("first", 2), ("second", 3)]
        assert self.rows(project, f"select * from {schema}.by_insert_overwrite order by day") == (
            expected_overwrite
        )

    def test_table_properties_and_clustering(self, project: Any, spark: Any) -> None:
        run_dbt(["run", "--select", "with_properties"])
        table = f"{project.test_schema}.with_properties"
        properties = dict(self.rows(project, f"show tblproperties {table}"))
        assert properties["delta.enableChangeDataFeed"] == "true"
        assert properties["team"] == "analytics"
        detail = spark.sql(f"describe detail spark_catalog.{table}").collect()[0]
        assert list(detail["clusteringColumns"]) == ["id"]

    def test_snapshot_invalidates_hard_deletes(self, project: Any) -> None:
        schema = project.test_schema
        project.run_sql(
            f"create or replace table {schema}.people using delta as "
            "select * from values (1, 'ann'), (2, 'bob') as t(id, name)"
        )
        run_dbt(["snapshot"])
        project.run_sql(f"delete from {schema}.people where id = 2")
        project.run_sql(f"update {schema}.people set name = 'anna' where id = 1")
        run_dbt(["snapshot"])
        rows = self.rows(
            project,
            f"select id, name, dbt_valid_to is null from {schema}.people_snapshot "
            "order by id, dbt_valid_from",
        )
        assert rows == [(1, "ann", False), (1, "anna", True), (2, "bob", False)]
