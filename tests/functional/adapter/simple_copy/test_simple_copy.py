"""Seed, then build every materialization from it (dbt.tests.adapter.simple_copy)."""

from pathlib import Path
from typing import Any

import pytest
from dbt.tests.adapter.simple_copy.test_copy_uppercase import BaseSimpleCopyUppercase
from dbt.tests.adapter.simple_copy.test_simple_copy import EmptyModelsArentRunBase, SimpleCopyBase
from dbt.tests.util import rm_file, run_dbt, write_file

# `advanced_incremental` has a unique_key: it merges, which needs Delta (the parquet leg's
# "needs Delta" error is asserted in tests/functional/test_unsupported_features.py).
pytestmark = pytest.mark.delta

MATERIALIZED_VIEW_MODEL = "{{ config(materialized='materialized_view') }} select 1 as id"


def tables_in_schema(project: Any) -> set[str]:
    """The base suite lists them from Postgres' information_schema, which Spark lacks."""
    rows = project.run_sql(f"show tables in {project.test_schema}", fetch="all")
    return {row[1] for row in rows}


class TestSimpleCopy(SimpleCopyBase):
    def test_simple_copy_with_materialized_views(self, project: Any) -> None:
        """Open-source Spark creates no materialized view (Spark 4 runs them only in
        declarative pipelines), so none can sit unrelated in the schema: a model asking for one
        fails with the one clear dbt error before any SQL, and the rest of the project still
        builds beside an unrelated table and view."""
        schema = project.test_schema
        project.run_sql(f"create table {schema}.unrelated_table (id int)")
        project.run_sql(
            f"create view {schema}.unrelated_view as select * from {schema}.unrelated_table"
        )
        model_file = Path(project.project_root, "models", "unrelated_materialized_view.sql")
        write_file(MATERIALIZED_VIEW_MODEL, model_file)
        try:
            assert len(run_dbt(["seed"])) == 1
            results = run_dbt(expect_pass=False)
        finally:
            rm_file(model_file)
        assert len(results) == 8
        failed = [result for result in results if result.status == "error"]
        assert [result.node.name for result in failed] == ["unrelated_materialized_view"]
        message = failed[0].message or ""
        assert "Materialized views" in message and "method: dbsql" in message, message
        assert "unrelated_materialized_view" not in tables_in_schema(project)


class TestEmptyModelsArentRun(EmptyModelsArentRunBase):
    def test_dbt_doesnt_run_empty_models(self, project: Any) -> None:
        assert len(run_dbt(["seed"])) == 1
        assert len(run_dbt()) == 7
        tables = tables_in_schema(project)
        assert "materialized" in tables
        assert "empty" not in tables
        assert "disabled" not in tables


class TestSimpleCopyUppercase(BaseSimpleCopyUppercase):
    @pytest.fixture(scope="class")
    def dbt_profile_target(self, dbt_profile_target: Any) -> Any:
        # The base class swaps in a Postgres profile (database `dbtMixedCase`); keep ours.
        return dbt_profile_target
