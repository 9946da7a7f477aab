"""dbt-tests-adapter suites that Delta Lake makes applicable, on local Spark with Delta.

Each class subclasses the upstream suite and changes only what Spark SQL spells differently
(column types in the suite's own DDL). All of them need Delta: they skip in the parquet leg,
where tests/functional/test_unsupported_features.py asserts the clear errors instead.
"""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests import util
from dbt.tests.adapter.incremental.test_incremental_merge_exclude_columns import (
    BaseMergeExcludeColumns,
)
from dbt.tests.adapter.incremental.test_incremental_microbatch import BaseMicrobatch
from dbt.tests.adapter.incremental.test_incremental_predicates import BaseIncrementalPredicates
from dbt.tests.adapter.incremental.test_incremental_unique_id import BaseIncrementalUniqueKey
from dbt.tests.adapter.simple_snapshot.test_snapshot import BaseSimpleSnapshot, BaseSnapshotCheck

pytestmark = [pytest.mark.delta, pytest.mark.usefixtures("delta_only")]


class TestSnapshotTimestamp(BaseSimpleSnapshot):
    def add_fact_column(self, column: str = "", definition: str = "") -> None:
        # The suite's definition is `varchar(200) default null`; Spark spells it `string`.
        table = util.relation_from_name(self.project.adapter, "fact")
        self.project.run_sql(f"alter table {table} add column {column} string")


class TestSnapshotCheck(BaseSnapshotCheck):
    pass


class TestIncrementalUniqueKey(BaseIncrementalUniqueKey):
    pass


class TestIncrementalPredicatesMerge(BaseIncrementalPredicates):
    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return {
            "models": {
                "+incremental_predicates": ["dbt_internal_dest.id != 2"],
                "+incremental_strategy": "merge",
            }
        }


class TestIncrementalPredicatesDeleteInsert(BaseIncrementalPredicates):
    """dbt-databricks applies `incremental_predicates` of delete+insert to the rows it inserts as
    well as to the rows it deletes (as Databricks' REPLACE ON does): the new row 2 is filtered
    out with the old one kept, where dbt's default inserts it beside the old one."""

    def get_expected_fields(
        self, relation: str, seed_rows: int, opt_model_count: Any = None
    ) -> Any:
        # One row fewer than the suite's expectation: the new row 2 is not inserted.
        return super().get_expected_fields(relation, seed_rows - 1, opt_model_count)

    @pytest.fixture(scope="class")
    def seeds(self) -> dict[str, str]:
        return {
            "expected_delete_insert_incremental_predicates.csv": (
                "id,msg,color\n1,hey,blue\n2,goodbye,red\n3,anyway,purple\n"
            )
        }

    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return {
            "models": {
                "+incremental_predicates": ["id != 2"],
                "+incremental_strategy": "delete+insert",
            }
        }


class TestMergeExcludeColumns(BaseMergeExcludeColumns):
    pass


class TestMicrobatch(BaseMicrobatch):
    pass
