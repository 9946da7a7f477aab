"""Column type predicates (dbt.tests.adapter.column_types) of the columns dbt-databricks reads
back from a table. The base class has no model (its one concrete subclass is Postgres'); this
one is Spark's.

dbt-databricks' column class keeps dbt-adapters' Postgres type names for `is_string`,
`is_integer` and `is_numeric`, so it answers False for Spark's `string`, `int`, `tinyint` and
`decimal(p,s)` (dbt-databricks#1380, dbt-spark#658). `method: dbsql` answers the same and must
stay as dbt-databricks is, so the model checks those columns only for what they are not, and
the positive checks on the types the class names (bigint, smallint, float, double)."""

from typing import Any

import pytest
from dbt.tests.adapter.column_types.test_column_types import BaseColumnTypes

MODEL_SQL = """
select
    cast(1 as smallint) as smallint_col,
    cast(2 as bigint) as bigint_col,
    cast(3.0 as float) as float_col,
    cast(4.0 as double) as double_col,
    cast(5 as int) as int_col,
    cast(6.0 as decimal(10, 2)) as decimal_col,
    cast('7' as string) as string_col
"""

SCHEMA_YML = """
version: 2
models:
  - name: model
    data_tests:
      - is_type:
          column_map:
            smallint_col: ['integer', 'number', 'not float', 'not string']
            bigint_col: ['integer', 'number', 'not float', 'not string']
            float_col: ['float', 'number', 'not integer', 'not string']
            double_col: ['float', 'number', 'not integer', 'not string']
            int_col: ['not float', 'not string']
            decimal_col: ['not float', 'not integer', 'not string']
            string_col: ['not number', 'not float', 'not integer']
"""

# The model is a table: its column types come back through the format's schema.
pytestmark = [pytest.mark.delta, pytest.mark.parquet]


class TestColumnTypes(BaseColumnTypes):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"model.sql": MODEL_SQL, "schema.yml": SCHEMA_YML}

    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return {"models": {"+materialized": "table"}}

    def test_run_and_test(self, project: Any) -> None:
        self.run_and_test()
