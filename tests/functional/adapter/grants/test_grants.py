"""dbt-tests-adapter's grants suites: on open-source Spark, grants are refused with one clear error.

Grants need Unity Catalog (or table access control), which a local Spark does not have, so a
node with a non-empty `grants` config fails before any SQL (features.check_model_configs) and
nothing is built. Each class keeps its suite's project (models, seeds, snapshots and configs)
and asserts that error, and that the same node builds once its grants are empty: the suite's
own grant checks need SHOW GRANTS, which has nothing to show here. The refusal is the same on
Delta and on the parquet fallback.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dbt.tests import util
from dbt.tests.adapter.grants.base_grants import TEST_USER_ENV_VARS
from dbt.tests.adapter.grants.test_incremental_grants import BaseIncrementalGrants
from dbt.tests.adapter.grants.test_invalid_grants import (
    BaseInvalidGrants,
    invalid_privilege_table_model_schema_yml,
    invalid_user_table_model_schema_yml,
)
from dbt.tests.adapter.grants.test_model_grants import BaseModelGrants, table_model_schema_yml
from dbt.tests.adapter.grants.test_seed_grants import BaseSeedGrants
from dbt.tests.adapter.grants.test_snapshot_grants import BaseSnapshotGrants

pytestmark = [pytest.mark.parquet, pytest.mark.delta]

GRANTS_REFUSED = "Grants (Unity Catalog or table access control): requires a Databricks runtime"
SNAPSHOTS_NEED_DELTA = "Snapshots (they MERGE changes into the snapshot table): requires Delta Lake"
NO_GRANTS_YML = """
version: 2
{kind}:
  - name: {name}
    config:{materialized}
      grants: {grants}
"""


@pytest.fixture(scope="module", autouse=True)
def test_users() -> Iterator[None]:
    """The suites' schema files name their grantees through these variables."""
    with pytest.MonkeyPatch.context() as patch:
        for number, name in enumerate(TEST_USER_ENV_VARS, start=1):
            patch.setenv(name, f"dbt_test_user_{number}")
        yield


def built(project: Any) -> set[str]:
    rows = project.run_sql(f"show tables in {project.test_schema}", fetch="all")
    return {row[1] for row in rows}


def assert_grants_refused(
    project: Any, command: list[str], name: str, expected: str = GRANTS_REFUSED
) -> None:
    """One error for the node, naming grants and why; no SQL sent, so no table."""
    results, output = util.run_dbt_and_capture(command, expect_pass=False)
    assert [(r.node.name, str(r.status)) for r in results] == [(name, "error")]
    message = results[0].message or ""
    assert expected in message, message
    assert "SQLSTATE" not in output and "Traceback" not in output, output
    assert name not in built(project)


def assert_builds_without_grants(
    project: Any,
    command: list[str],
    directory: str,
    kind: str,
    name: str,
    materialized: str = "",
    grants: str = "{}",
) -> None:
    setting = f"\n      materialized: {materialized}" if materialized else ""
    yml = NO_GRANTS_YML.format(kind=kind, name=name, materialized=setting, grants=grants)
    util.write_file(yml, project.project_root, directory, "schema.yml")
    results = util.run_dbt(command)
    assert [str(r.status) for r in results] == ["success"]
    assert name in built(project)


class TestModelGrants(BaseModelGrants):
    def test_view_table_grants(self, project: Any, get_test_users: list[str]) -> None:
        assert_grants_refused(project, ["run"], "my_model")  # the suite's view
        util.write_file(table_model_schema_yml, project.project_root, "models", "schema.yml")
        assert_grants_refused(project, ["run"], "my_model")  # and its table
        assert_builds_without_grants(project, ["run"], "models", "models", "my_model")


class TestIncrementalGrants(BaseIncrementalGrants):
    def test_incremental_grants(self, project: Any, get_test_users: list[str]) -> None:
        assert_grants_refused(project, ["run"], "my_incremental_model")
        assert_builds_without_grants(
            project, ["run"], "models", "models", "my_incremental_model", "incremental"
        )
        # An incremental run onto the existing table is refused as well, and leaves it.
        util.write_file(INCREMENTAL_GRANTS_YML, project.project_root, "models", "schema.yml")
        results = util.run_dbt(["run"], expect_pass=False)
        assert GRANTS_REFUSED in (results[0].message or "")
        assert "my_incremental_model" in built(project)


INCREMENTAL_GRANTS_YML = """
version: 2
models:
  - name: my_incremental_model
    config:
      materialized: incremental
      grants:
        select: ["{{ env_var('DBT_TEST_USER_1') }}"]
"""


class TestSeedGrants(BaseSeedGrants):
    def test_seed_grants(self, project: Any, get_test_users: list[str]) -> None:
        assert_grants_refused(project, ["seed"], "my_seed")
        # `grants: {}` and `grants: {select: []}` grant nothing: the seed loads.
        assert_builds_without_grants(project, ["seed"], "seeds", "seeds", "my_seed")
        assert_builds_without_grants(
            project, ["seed", "--full-refresh"], "seeds", "seeds", "my_seed", grants="{select: []}"
        )


class TestSnapshotGrants(BaseSnapshotGrants):
    def test_snapshot_grants(
        self, project: Any, get_test_users: list[str], table_format: str
    ) -> None:
        if table_format != "delta":  # without Delta, snapshots fail first with their own error
            assert_grants_refused(project, ["snapshot"], "my_snapshot", SNAPSHOTS_NEED_DELTA)
            return
        assert_grants_refused(project, ["snapshot"], "my_snapshot")
        assert_builds_without_grants(project, ["snapshot"], "snapshots", "snapshots", "my_snapshot")


class TestInvalidGrants(BaseInvalidGrants):
    """Unknown grantees and privileges are refused as any grants are, before the database."""

    def test_invalid_grants(self, project: Any, get_test_users: list[str], logs_dir: str) -> None:
        for yml in (invalid_user_table_model_schema_yml, invalid_privilege_table_model_schema_yml):
            util.write_file(yml, project.project_root, "models", "schema.yml")
            assert_grants_refused(project, ["run"], "my_invalid_model")
