"""dbt-tests-adapter's dbt clone suites.

With Delta, tables are shallow clones (views stay views); without Delta (the parquet leg) dbt
clone makes every node a view over its state relation, as dbt does where a warehouse cannot
clone. The suites whose projects hold a snapshot need Delta (snapshots MERGE); the same clone
without a snapshot runs in the parquet leg in TestCloneWithoutDelta.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from dbt.tests.adapter.dbt_clone import fixtures
from dbt.tests.adapter.dbt_clone.test_dbt_clone import (
    BaseClone,
    BaseCloneNotPossible,
    BaseClonePossible,
    BaseCloneSameSourceAndTarget,
    BaseCloneSameTargetAndState,
)
from dbt.tests.util import run_dbt, run_dbt_and_capture

CLONE_ARGS = ["clone", "--state", "state", "--target", "otherschema"]


class DropsSeedSchema:
    """The suites' `generate_schema_name` puts seeds in `<schema>_seeds`, which nothing drops."""

    @pytest.fixture(autouse=True)
    def drop_seed_schema(self, project: Any) -> Any:
        yield
        with project.adapter.connection_named("__test"):
            relation = project.adapter.Relation.create(
                database=project.database, schema=f"{project.test_schema}_seeds"
            )
            project.adapter.drop_schema(relation)


@pytest.mark.delta
@pytest.mark.usefixtures("delta_only")
class TestClonePossible(DropsSeedSchema, BaseClonePossible):
    pass


@pytest.mark.delta
@pytest.mark.usefixtures("delta_only")
class TestCloneNotPossible(DropsSeedSchema, BaseCloneNotPossible):
    """A project whose `can_clone_table` says no: every node becomes a view (through
    dbt-databricks' view materialization)."""


@pytest.mark.parquet
@pytest.mark.delta
class TestCloneSameTargetAndState(DropsSeedSchema, BaseCloneSameTargetAndState):
    """dbt warns that the state and target directories are the same. The suite's run then fails
    only because the snapshot it never built is cloned onto itself as a view selecting from
    itself; here a node whose state relation is itself is skipped, so the run passes."""

    def test_clone_same_target_and_state(
        self, project: Any, unique_schema: str, other_schema: str
    ) -> None:
        project.create_test_schema(other_schema)
        self.run_and_save_state(project.project_root)
        results, output = run_dbt_and_capture(["clone", "--defer", "--state", "target"])
        assert "The state and target directories are the same: 'target'" in output
        assert all(str(r.status) == "success" for r in results), results


@pytest.mark.parquet
@pytest.mark.delta
class TestCloneSameSourceAndTarget(DropsSeedSchema, BaseCloneSameSourceAndTarget):
    """Cloning each node onto itself (`--state` of the same target, `--full-refresh`) is skipped
    and keeps the table: open-source Delta clones only onto an empty table, so a clone that went
    ahead would drop the very table it clones."""

    # The suite defines these two as plain methods, which pytest does not take as fixtures: its
    # project would hold only the seed. Here they are fixtures (the snapshot only with Delta).
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "source_based_model.sql": fixtures.source_based_model_sql,
            "source_schema.yml": fixtures.source_schema_yml,
        }

    @pytest.fixture(scope="class")
    def snapshots(self, table_format: str) -> dict[str, str]:
        if table_format != "delta":
            return {}
        return {"snapshot_model.sql": fixtures.source_based_model_snapshot_sql}

    def test_clone_same_source_and_target(self, project: Any, unique_schema: str) -> None:
        super().test_clone_same_source_and_target(project, unique_schema)
        rows = project.run_sql(
            f"select id, name from {unique_schema}.source_based_model order by id", fetch="all"
        )
        assert [tuple(row) for row in rows] == [(1, "test_data"), (2, "more_data")]


@pytest.mark.parquet
@pytest.mark.usefixtures("parquet_only")
class TestCloneWithoutDelta(DropsSeedSchema, BaseClone):
    """Without Delta nothing can be cloned: each node becomes a view over its state relation,
    once, with no error (the suite's snapshot is left out: snapshots need Delta)."""

    @pytest.fixture(scope="class")
    def snapshots(self) -> dict[str, str]:
        return {}

    def test_clone_makes_views(self, project: Any, other_schema: str) -> None:
        project.create_test_schema(other_schema)
        self.run_and_save_state(project.project_root)

        results, output = run_dbt_and_capture(CLONE_ARGS)
        assert [str(r.status) for r in results] == ["success"] * 3, output
        relations = project.adapter.list_relations(database=project.database, schema=other_schema)
        assert Counter(r.type for r in relations) == Counter({"view": 3})
        rows = project.run_sql(f"select id, name from {other_schema}.table_model", fetch="all")
        assert sorted(tuple(row) for row in rows) == [(1, "Alice"), (2, "Bob")]

        results = run_dbt(CLONE_ARGS)
        assert all("no-op" in (r.message or "").lower() for r in results), results
        results = run_dbt([*CLONE_ARGS, "--full-refresh"])
        assert [str(r.status) for r in results] == ["success"] * 3
