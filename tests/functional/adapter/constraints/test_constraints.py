"""dbt-tests-adapter's model contract and constraint suites on local Spark with Delta.

Open-source Delta enforces `not_null` (here a CHECK `<column> IS NOT NULL`) and `check`
constraints on every write. Primary and foreign keys are Unity Catalog's informational
constraints: a model with one fails before any SQL with one clear error, and nothing is built.
Spark spells the suites' types `string` and `int`. Constraints need Delta: the classes skip in
the parquet leg (tests/functional/test_unsupported_features.py asserts its "needs Delta" error).
"""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests import util
from dbt.tests.adapter.constraints import fixtures
from dbt.tests.adapter.constraints.test_constraints import (
    BaseConstraintQuotedColumn,
    BaseConstraintsRollback,
    BaseConstraintsRuntimeDdlEnforcement,
    BaseIncrementalConstraintsColumnsEqual,
    BaseIncrementalConstraintsRollback,
    BaseIncrementalConstraintsRuntimeDdlEnforcement,
    BaseIncrementalContractSqlHeader,
    BaseIncrementalForeignKeyConstraint,
    BaseModelConstraintsRuntimeEnforcement,
    BaseTableConstraintsColumnsEqual,
    BaseTableContractSqlHeader,
    BaseViewConstraintsColumnsEqual,
)

pytestmark = [pytest.mark.delta, pytest.mark.usefixtures("delta_only")]

KEYS_NEED_UNITY_CATALOG = (
    "Primary and foreign key constraints (Unity Catalog informational constraints): "
    "requires a Databricks runtime"
)


def spark_schema(yml: str) -> str:
    """The suite's schema in Spark's type names, without the primary keys that need UC."""
    return spark_types(yml).replace("          - type: primary_key\n", "")


def spark_types(yml: str) -> str:
    return yml.replace("data_type: text", "data_type: string")


CONSTRAINTS_YML = spark_schema(fixtures.model_schema_yml)


class SparkTypes:
    @pytest.fixture
    def string_type(self) -> str:
        return "string"

    @pytest.fixture
    def int_type(self) -> str:
        return "int"

    @pytest.fixture
    def data_types(self, int_type: str, string_type: str) -> list[list[str]]:
        # sql_column_value, schema_data_type, error_data_type (as dbt-databricks reports it)
        return [
            ["1", int_type, int_type],
            ["'1'", string_type, string_type],
            ["true", "boolean", "boolean"],
            ["array('1','2','3')", "array<string>", "array"],
            ["array(1,2,3)", "array<int>", "array"],
            ["cast('2019-01-01' as date)", "date", "date"],
            ["cast('2019-01-01' as timestamp)", "timestamp", "timestamp"],
            # Spark reads a bare `decimal` as decimal(10,0): the contract names the precision.
            ["cast(1.0 as decimal(4, 2))", "decimal(4,2)", "decimal"],
        ]


# -- contracts: column names, order and types --------------------------------------------------


class TestTableConstraintsColumnsEqual(SparkTypes, BaseTableConstraintsColumnsEqual):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model_wrong_order.sql": fixtures.my_model_wrong_order_sql,
            "my_model_wrong_name.sql": fixtures.my_model_wrong_name_sql,
            "constraints_schema.yml": CONSTRAINTS_YML,
        }


class TestViewConstraintsColumnsEqual(SparkTypes, BaseViewConstraintsColumnsEqual):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model_wrong_order.sql": fixtures.my_model_view_wrong_order_sql,
            "my_model_wrong_name.sql": fixtures.my_model_view_wrong_name_sql,
            "constraints_schema.yml": CONSTRAINTS_YML,
        }


class TestIncrementalConstraintsColumnsEqual(SparkTypes, BaseIncrementalConstraintsColumnsEqual):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model_wrong_order.sql": fixtures.my_model_incremental_wrong_order_sql,
            "my_model_wrong_name.sql": fixtures.my_model_incremental_wrong_name_sql,
            "constraints_schema.yml": CONSTRAINTS_YML,
        }


# -- the DDL: a plain CTAS, then the constraints as ALTER TABLE ... ADD CONSTRAINT ------------

# dbt-databricks creates the table from the query; the constraints follow as ALTER statements.
EXPECTED_CTAS = """
create or replace table <model_identifier>
    using delta
    as
select
  id,
  color,
  date_day
from
( select
    'blue' as color,
    1 as id,
    '2019-01-01' as date_day ) as model_subq
"""


class TestTableConstraintsRuntimeDdlEnforcement(BaseConstraintsRuntimeDdlEnforcement):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model.sql": fixtures.my_model_wrong_order_sql,
            "constraints_schema.yml": CONSTRAINTS_YML,
        }

    @pytest.fixture(scope="class")
    def expected_sql(self) -> str:
        return EXPECTED_CTAS


class TestIncrementalConstraintsRuntimeDdlEnforcement(
    BaseIncrementalConstraintsRuntimeDdlEnforcement
):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model.sql": fixtures.my_model_incremental_wrong_order_sql,
            "constraints_schema.yml": CONSTRAINTS_YML,
        }

    @pytest.fixture(scope="class")
    def expected_sql(self) -> str:
        return EXPECTED_CTAS


class TestConstraintQuotedColumn(BaseConstraintQuotedColumn):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        schema = spark_schema(fixtures.model_quoted_column_schema_yml)
        return {
            "my_model.sql": fixtures.my_model_with_quoted_column_name_sql,
            "constraints_schema.yml": schema.replace('"from"', "`from`"),
        }

    @pytest.fixture(scope="class")
    def expected_sql(self) -> str:
        return """
create or replace table <model_identifier>
    using delta
    as
select id, `from`, date_day
from ( select 'blue' as `from`, 1 as id, '2019-01-01' as date_day ) as model_subq
"""


# -- enforcement: a violating build fails with Delta's own constraint error --------------------

# Delta names the violated constraint; which one comes first depends on the statement.
DELTA_VIOLATIONS = [
    "DELTA_NEW_CHECK_CONSTRAINT_VIOLATION",
    "DELTA_VIOLATE_CONSTRAINT_WITH_VALUES",
]


class DeltaViolation:
    @pytest.fixture(scope="class")
    def expected_error_messages(self) -> list[str]:
        return DELTA_VIOLATIONS

    def assert_expected_error_messages(
        self, error_message: str, expected_error_messages: list[str]
    ) -> None:
        assert any(msg in error_message for msg in expected_error_messages), error_message


class TestTableConstraintsRollback(DeltaViolation, BaseConstraintsRollback):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"my_model.sql": fixtures.my_model_sql, "constraints_schema.yml": CONSTRAINTS_YML}

    # dbt-databricks adds the constraints after replacing the table (Databricks does the same):
    # the failed run leaves the new rows, not the old ones.
    @pytest.fixture(scope="class")
    def expected_color(self) -> str:
        return "red"


class TestIncrementalConstraintsRollback(DeltaViolation, BaseIncrementalConstraintsRollback):
    # The violating rows are refused by the INSERT: the table keeps its old row.
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model.sql": fixtures.my_incremental_model_sql,
            "constraints_schema.yml": CONSTRAINTS_YML,
        }


# -- a SQL header before the contracted model's SQL --------------------------------------------

SQL_HEADER_MODEL = """
{{{{ config(materialized = "{materialized}"{extra}) }}}}
{{% call set_sql_header(config) %}}
set time zone 'Asia/Kolkata';
{{%- endcall %}}
select current_timezone() as column_name
"""
# dbt sends the header in the same text as the statement after it; the session cursor runs
# each statement of a text in turn (spark/statements.py), so the SET holds for the model.
CONTRACT_HEADER_YML = spark_types(fixtures.model_contract_header_schema_yml)


class TestTableContractSqlHeader(BaseTableContractSqlHeader):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        model = SQL_HEADER_MODEL.format(materialized="table", extra="")
        return {
            "my_model_contract_sql_header.sql": model,
            "constraints_schema.yml": CONTRACT_HEADER_YML,
        }

    def test__contract_sql_header(self, project: Any) -> None:
        super().test__contract_sql_header(project)
        row = project.run_sql("select * from {schema}.my_model_contract_sql_header", fetch="one")
        assert row[0] == "Asia/Kolkata"


class TestIncrementalContractSqlHeader(BaseIncrementalContractSqlHeader):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        extra = ', on_schema_change="append_new_columns"'
        model = SQL_HEADER_MODEL.format(materialized="incremental", extra=extra)
        return {
            "my_model_contract_sql_header.sql": model,
            "constraints_schema.yml": CONTRACT_HEADER_YML,
        }

    def test__contract_sql_header(self, project: Any) -> None:
        super().test__contract_sql_header(project)
        row = project.run_sql("select * from {schema}.my_model_contract_sql_header", fetch="one")
        assert row[0] == "Asia/Kolkata"


# -- primary and foreign keys: Unity Catalog only, one clear error before any SQL ---------------


def assert_keys_refused(project: Any, results: Any, refused: set[str]) -> None:
    failed = {r.node.name: r.message or "" for r in results if str(r.status) == "error"}
    assert set(failed) == refused, failed
    for name, message in failed.items():
        assert KEYS_NEED_UNITY_CATALOG in message, f"{name}: {message}"
        assert "SQLSTATE" not in message and "PARSE_SYNTAX_ERROR" not in message, message
    tables = {row[1] for row in project.run_sql("show tables in {schema}", fetch="all")}
    assert not tables & refused, tables


def assert_each_refused(project: Any, models: tuple[str, ...]) -> None:
    util.write_file(
        util.read_file("models", "constraints_schema.yml").format(schema=project.test_schema),
        "models",
        "constraints_schema.yml",
    )
    for model in models:
        results = util.run_dbt(["run", "-s", model], expect_pass=False)
        assert_keys_refused(project, results, {model})


class TestModelConstraintsRuntimeEnforcement(BaseModelConstraintsRuntimeEnforcement):
    """Model-level primary and foreign keys; the referenced model declares a primary key."""

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model.sql": fixtures.my_model_wrong_order_depends_on_fk_sql,
            "foreign_key_model.sql": fixtures.foreign_key_model_sql,
            "constraints_schema.yml": spark_types(fixtures.constrained_model_schema_yml),
        }

    def test__model_constraints_ddl(self, project: Any, expected_sql: str) -> None:
        assert_each_refused(project, ("foreign_key_model", "my_model"))


class TestColumnKeysRuntimeDdlEnforcement(BaseConstraintsRuntimeDdlEnforcement):
    """The suite's own column-level primary and foreign keys (`model_fk_constraint_schema_yml`)."""

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model.sql": fixtures.my_model_wrong_order_depends_on_fk_sql,
            "foreign_key_model.sql": fixtures.foreign_key_model_sql,
            "constraints_schema.yml": spark_types(fixtures.model_fk_constraint_schema_yml),
        }

    def test__constraints_ddl(self, project: Any, expected_sql: str) -> None:
        assert_each_refused(project, ("foreign_key_model", "my_model"))


class TestIncrementalForeignKeyConstraint(BaseIncrementalForeignKeyConstraint):
    """A table with a primary key, and an incremental model with a foreign key to it."""

    def test_incremental_foreign_key_constraint(self, project: Any) -> None:
        util.write_file(
            util.read_file("models", "schema.yml").format(schema=project.test_schema),
            "models",
            "schema.yml",
        )
        for model in ("raw_numbers", "stg_numbers"):
            results = util.run_dbt(["run", "--select", model], expect_pass=False)
            assert_keys_refused(project, results, {model})
