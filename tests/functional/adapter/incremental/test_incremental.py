"""dbt-tests-adapter's basic incremental suites, and the unique-key suite on the parquet fallback.

On Delta every suite runs as written (the unique-key suite runs on Delta in
tests/functional/adapter/delta/test_delta_suites.py). Without Delta a model with no unique key
appends, and one with a unique key (dbt-databricks' default strategy is then `merge`) fails with
one clear "needs Delta" error.
"""

from __future__ import annotations

from typing import Any

import pytest
from dbt.artifacts.schemas.results import RunStatus
from dbt.tests.adapter.basic.test_incremental import (
    BaseIncrementalBadStrategy,
    BaseIncrementalNotSchemaChange,
)
from dbt.tests.adapter.incremental.test_incremental_unique_id import BaseIncrementalUniqueKey
from dbt.tests.util import run_dbt

pytestmark = [pytest.mark.parquet, pytest.mark.delta]

MERGE_NEEDS_DELTA = "The incremental strategy 'merge'"


class TestIncrementalNotSchemaChange(BaseIncrementalNotSchemaChange):
    # The model sets `unique_key` (so `merge`, Delta only); without Delta it says `append`.
    @pytest.fixture(scope="class")
    def project_config_update(self, table_format: str) -> dict[str, Any]:
        if table_format == "delta":
            return {"name": "incremental"}
        return {"name": "incremental", "models": {"+incremental_strategy": "append"}}


class TestIncrementalBadStrategy(BaseIncrementalBadStrategy):
    pass


class TestIncrementalUniqueKeyWithoutDelta(BaseIncrementalUniqueKey):
    """The parquet leg: the keyless cases append as the suite expects; each keyed case fails on
    its first run with the one error naming `merge` and Delta, and builds nothing. An empty key
    (`[]`, `''`) is no key: those cases append, as the suite expects."""

    @pytest.fixture(autouse=True)
    def _parquet_leg(self, parquet_only: None) -> None:
        pass

    @pytest.fixture(scope="class")
    def seeds(self) -> dict[str, str]:
        """The suite's inserts write a string into the seed's date column. Delta casts it; an
        insert into a parquet (Hive) table refuses that cast under Spark's ANSI store
        assignment ("Cannot safely cast"), so here the inserts give date literals."""
        return {
            name: sql.replace("'2022-02-", "date'2022-02-")
            for name, sql in super().seeds.__wrapped__(self).items()  # type: ignore[attr-defined]
        }

    def assert_merge_refused(self, project: Any, model: str) -> None:
        run_dbt(["seed", "--select", "seed", "--full-refresh"])
        results = run_dbt(["run", "--select", model], expect_pass=False)
        assert [r.status for r in results] == [RunStatus.Error]
        message = results[0].message or ""
        assert MERGE_NEEDS_DELTA in message and "Delta Lake" in message, message
        tables = {row[1] for row in project.run_sql("show tables in {schema}", fetch="all")}
        assert model not in tables, tables

    def test__bad_unique_key(self, project: Any) -> None:
        self.assert_merge_refused(project, "not_found_unique_key")

    def test__one_unique_key(self, project: Any) -> None:
        self.assert_merge_refused(project, "str_unique_key")

    def test__bad_unique_key_list(self, project: Any) -> None:
        self.assert_merge_refused(project, "not_found_unique_key_list")

    def test__unary_unique_key_list(self, project: Any) -> None:
        self.assert_merge_refused(project, "unary_unique_key_list")

    def test__duplicated_unary_unique_key_list(self, project: Any) -> None:
        self.assert_merge_refused(project, "duplicated_unary_unique_key_list")

    def test__trinary_unique_key_list(self, project: Any) -> None:
        self.assert_merge_refused(project, "trinary_unique_key_list")

    def test__trinary_unique_key_list_no_update(self, project: Any) -> None:
        self.assert_merge_refused(project, "nontyped_trinary_unique_key_list")
