"""Ephemeral models (dbt.tests.adapter.ephemeral): shared CTEs, nesting, and a failing ephemeral
ancestor. The base classes compare compiled SQL with Postgres' spelling (double quotes, `create
view ... __dbt__tmp`); these compare with what dbt-databricks writes (backticks, `create or
replace view`), as upstream dbt-databricks' own subclasses do."""

import re
from pathlib import Path
from typing import Any

import pytest
from dbt.tests.adapter.ephemeral.test_ephemeral import (
    BaseEphemeralErrorHandling,
    BaseEphemeralMulti,
    BaseEphemeralNested,
)
from dbt.tests.util import check_relations_equal, run_dbt

# Views over seeds: nothing here depends on the table format.
pytestmark = pytest.mark.delta


def compiled_run_sql(model: str) -> str:
    """The SQL dbt ran for a model, without digits (the schema's unique suffix) or whitespace."""
    sql = Path("target/run/test/models", f"{model}.sql").read_text()
    return "".join(re.sub(r"\d+", "", sql).split())


def without_digits_or_space(sql: str) -> str:
    return "".join(re.sub(r"\d+", "", sql).split())


class TestEphemeralMulti(BaseEphemeralMulti):
    def test_ephemeral_multi(self, project: Any) -> None:
        run_dbt(["seed"])
        assert len(run_dbt(["run"])) == 3
        for model in ("dependent", "double_dependent", "super_dependent"):
            check_relations_equal(project.adapter, ["seed", model])
        schema = f"`{project.database}`.`{project.test_schema}`"
        # Both refs to `base` share one CTE, which `base_copy`'s CTE reads.
        expected = (
            f"create or replace view {schema}.`double_dependent` as ("
            "with __dbt__cte__base as ("
            f"select * from {project.test_schema}.seed"
            "),  __dbt__cte__base_copy as ("
            "select * from __dbt__cte__base"
            ")-- base_copy just pulls from base. Make sure the listed"
            "-- graph of CTEs all share the same dbt_cte__base cte"
            "select * from __dbt__cte__base where gender = 'Male'"
            "union all"
            "select * from __dbt__cte__base_copy where gender = 'Female'"
            ")"
        )
        assert compiled_run_sql("double_dependent") == without_digits_or_space(expected)


class TestEphemeralNested(BaseEphemeralNested):
    def test_ephemeral_nested(self, project: Any) -> None:
        assert len(run_dbt(["run"])) == 2
        schema = f"`{project.database}`.`{project.test_schema}`"
        expected = (
            f"create or replace view {schema}.`root_view` as ("
            "with __dbt__cte__ephemeral_level_two as ("
            f"select * from {schema}.`source_table`"
            "),  __dbt__cte__ephemeral as ("
            "select * from __dbt__cte__ephemeral_level_two"
            ")select * from __dbt__cte__ephemeral"
            ")"
        )
        assert compiled_run_sql("root_view") == without_digits_or_space(expected)


class TestEphemeralErrorHandling(BaseEphemeralErrorHandling):
    pass
