"""dbt-tests-adapter's function (UDF) suites in session mode.

SQL functions are Spark's own `CREATE FUNCTION ... RETURNS ... RETURN`: they build in the
session's metastore and run. Python functions (`LANGUAGE PYTHON AS $$ ... $$`) are Unity
Catalog's: on open-source Spark each suite asserts the one "requires a Databricks runtime"
error, raised before any SQL. dbt-databricks renders no volatility clause and has no aggregate
functions, in either method: those suites assert what it does.
"""

from __future__ import annotations

from typing import Any

import pytest
from dbt.artifacts.schemas.results import RunStatus
from dbt.events.types import RunResultError
from dbt.tests.adapter.functions.test_udafs import BasicPythonUDAF, BasicSQLUDAF
from dbt.tests.adapter.functions.test_udfs import (
    DeterministicUDF,
    ErrorForUnsupportedType,
    NonDeterministicUDF,
    PythonUDFDefaultArgSupport,
    PythonUDFEntryPointRequired,
    PythonUDFRuntimeVersionRequired,
    PythonUDFSupported,
    PythonUDFVolatilitySupport,
    PythonUDFWithPackagesSupported,
    SqlUDFDefaultArgSupport,
    StableUDF,
    UDFsBasic,
)
from dbt.tests.util import run_dbt
from dbt_common.events.event_catcher import EventCatcher

pytestmark = [pytest.mark.parquet, pytest.mark.delta]

PYTHON_FUNCTIONS_REFUSED = (
    "Python functions (`LANGUAGE PYTHON` UDFs, Unity Catalog only): requires a Databricks runtime"
)
VOLATILITY_KEYWORDS = ("VOLATILE", "STABLE", "IMMUTABLE", "DETERMINISTIC")


class TestUDFsBasic(UDFsBasic):
    pass


class TestSqlUDFDefaultArgSupport(SqlUDFDefaultArgSupport):
    pass


class TestErrorForUnsupportedType(ErrorForUnsupportedType):
    pass


class NoVolatilityClause:
    """dbt-databricks' CREATE FUNCTION has no volatility clause (Spark would spell it
    `[NOT] DETERMINISTIC`), so the function builds and runs and the setting is not sent."""

    def check_function_volatility(self, sql: str) -> None:
        for keyword in VOLATILITY_KEYWORDS:
            assert keyword not in sql.upper()


class TestDeterministicUDF(NoVolatilityClause, DeterministicUDF):
    pass


class TestStableUDF(NoVolatilityClause, StableUDF):
    pass


class TestNonDeterministicUDF(NoVolatilityClause, NonDeterministicUDF):
    pass


def assert_one_error(project: Any, message: str) -> None:
    """`dbt build` fails the function with `message` only, and nothing reaches Spark."""
    errors = EventCatcher(RunResultError)
    result = run_dbt(["build"], expect_pass=False, callbacks=[errors.catch])
    assert [node.status for node in result.results] == [RunStatus.Error]
    assert len(errors.caught_events) == 1
    assert message in errors.caught_events[0].data.msg
    assert "PARSE_SYNTAX_ERROR" not in errors.caught_events[0].data.msg
    listed = project.run_sql(f"show user functions in {project.test_schema}", fetch="all")
    # Delta registers its own functions (`table_changes`) without a schema.
    assert [row[0] for row in listed if project.test_schema in row[0]] == []


class PythonFunctionRefused:
    """On open-source Spark a Python function fails with the one runtime error."""

    def test_udfs(self, project: Any, sql_event_catcher: EventCatcher) -> None:
        assert_one_error(project, PYTHON_FUNCTIONS_REFUSED)


class TestPythonUDFSupported(PythonFunctionRefused, PythonUDFSupported):
    pass


class TestPythonUDFVolatilitySupport(PythonFunctionRefused, PythonUDFVolatilitySupport):
    pass


class TestPythonUDFDefaultArgSupport(PythonFunctionRefused, PythonUDFDefaultArgSupport):
    pass


class TestPythonUDFWithPackagesSupported(PythonFunctionRefused, PythonUDFWithPackagesSupported):
    pass


# dbt-databricks accepts `runtime_version` and `entry_point` with a warning ("no effect on
# Databricks Python UDFs") rather than requiring them, so the runtime error is what remains.
class TestPythonUDFRuntimeVersionRequired(PythonFunctionRefused, PythonUDFRuntimeVersionRequired):
    pass


class TestPythonUDFEntryPointRequired(PythonFunctionRefused, PythonUDFEntryPointRequired):
    pass


class NoAggregateFunctions:
    """dbt-databricks 1.12 has no aggregate-function macros (the same in `method: dbsql`): dbt
    fails the function at compile time, before any SQL, and its downstream nodes still run."""

    language = "sql"

    def test_udaf(self, project: Any, sql_event_catcher: EventCatcher) -> None:
        message = f"No macro named 'aggregate_function_{self.language}' found within namespace"
        errors = EventCatcher(RunResultError)
        result = run_dbt(["build"], expect_pass=False, callbacks=[errors.catch])
        statuses = {node.node.name: node.status for node in result.results}
        assert statuses == {"sum_squared": RunStatus.Error, "basic_model": RunStatus.Success}
        assert len(errors.caught_events) == 1 and message in errors.caught_events[0].data.msg
        assert sql_event_catcher.caught_events == []


class TestBasicSQLUDAF(NoAggregateFunctions, BasicSQLUDAF):
    pass


class TestBasicPythonUDAF(NoAggregateFunctions, BasicPythonUDAF):
    language = "python"
