"""Model and run hooks. The base fixtures use Postgres SQL (TEXT columns, `vacuum`, double-quoted
identifiers, postgres profile values); these classes swap in the Spark equivalents."""

import os
from typing import Any

import pytest
from dbt.tests.adapter.hooks import test_model_hooks as model_hooks
from dbt.tests.adapter.hooks.test_model_hooks import (
    BaseDuplicateHooksInConfigs,
    BaseHookRefs,
    BaseHooksRefsOnSeeds,
    BasePrePostModelHooks,
    BasePrePostModelHooksInConfig,
    BasePrePostModelHooksInConfigKwargs,
    BasePrePostModelHooksInConfigWithCount,
    BasePrePostModelHooksOnSeeds,
    BasePrePostModelHooksOnSeedsPlusPrefixed,
    BasePrePostModelHooksOnSeedsPlusPrefixedWhitespace,
    BasePrePostModelHooksOnSnapshots,
    BasePrePostSnapshotHooksInConfigKwargs,
)
from dbt.tests.adapter.hooks.test_run_hooks import BaseAfterRunHooks, BasePrePostRunHooks

HOOK_TABLE_COLUMNS = """(
    test_state       STRING,
    target_dbname    STRING,
    target_host      STRING,
    target_name      STRING,
    target_schema    STRING,
    target_type      STRING,
    target_user      STRING,
    target_pass      STRING,
    target_threads   INT,
    run_started_at   STRING,
    invocation_id    STRING,
    thread_id        STRING
)"""

FIELDS = [
    "test_state",
    "target_dbname",
    "target_host",
    "target_name",
    "target_schema",
    "target_threads",
    "target_type",
    "target_user",
    "target_pass",
    "run_started_at",
    "invocation_id",
    "thread_id",
]

# Postgres' `vacuum` cannot run in a transaction, hence `transaction: False`; Spark's nearest
# maintenance statement that runs on a plain (non-Delta) table is ANALYZE.
OUTSIDE_TRANSACTION_HOOK = {
    "sql": "analyze table {{ this.schema }}.on_model_hook compute statistics",
    "transaction": False,
}

# The hook runs `update {{ this }} set ...` and snapshots MERGE: both need Delta (not in the
# parquet leg).
NEEDS_DELTA = pytest.mark.usefixtures("delta_only")
pytestmark = pytest.mark.delta


def hook_rows(project: Any, table: str, state: str) -> list[dict[str, Any]]:
    query = (
        f"select {', '.join(FIELDS)} from {project.test_schema}.{table}"
        f" where test_state = '{state}'"
    )
    return [dict(zip(FIELDS, row)) for row in project.run_sql(query, fetch="all")]


def check_context(ctx: dict[str, Any], state: str, project: Any) -> None:
    """The base checks, with this adapter's profile values in place of the postgres profile's:
    a databricks_session profile has no `dbname` or `user`, and session mode no `host`."""
    assert ctx["test_state"] == state
    assert ctx["target_dbname"] == ""
    assert ctx["target_host"] == ""
    assert ctx["target_name"] == "default"
    assert ctx["target_schema"] == project.test_schema
    assert ctx["target_threads"] == 4
    assert ctx["target_type"] == "databricks_session"
    assert ctx["target_user"] == ""
    assert ctx["target_pass"] == ""
    assert ctx["run_started_at"] is not None and len(ctx["run_started_at"]) > 0
    assert ctx["invocation_id"] is not None and len(ctx["invocation_id"]) > 0


class SparkModelHookTable:
    @pytest.fixture(scope="class", autouse=True)
    def setUp(self, project):
        project.run_sql(f"drop table if exists {project.test_schema}.on_model_hook")
        project.run_sql(f"create table {project.test_schema}.on_model_hook {HOOK_TABLE_COLUMNS}")

    def get_ctx_vars(self, state, count, project):
        vals = hook_rows(project, "on_model_hook", state)
        assert len(vals) != 0, "nothing inserted into hooks table"
        assert len(vals) >= count, "too few rows in hooks table"
        assert len(vals) <= count, "too many rows in hooks table"
        return vals

    def check_hooks(self, state, project, host, count=1):
        for ctx in self.get_ctx_vars(state, count=count, project=project):
            check_context(ctx, state, project)
            assert ctx["thread_id"].startswith("Thread-")


def spark_model_hooks(pre_key: str, post_key: str) -> dict[str, Any]:
    return {
        "models": {
            "test": {
                pre_key: [model_hooks.MODEL_PRE_HOOK, OUTSIDE_TRANSACTION_HOOK],
                post_key: [OUTSIDE_TRANSACTION_HOOK, model_hooks.MODEL_POST_HOOK],
            }
        }
    }


class TestPrePostModelHooks(SparkModelHookTable, BasePrePostModelHooks):
    @pytest.fixture(scope="class")
    def project_config_update(self):
        return spark_model_hooks("pre-hook", "post-hook")


class TestPrePostModelHooksUnderscores(SparkModelHookTable, BasePrePostModelHooks):
    @pytest.fixture(scope="class")
    def project_config_update(self):
        return spark_model_hooks("pre_hook", "post_hook")


class TestHookRefs(SparkModelHookTable, BaseHookRefs):
    pass


class TestPrePostModelHooksInConfig(SparkModelHookTable, BasePrePostModelHooksInConfig):
    pass


class TestPrePostModelHooksInConfigWithCount(
    SparkModelHookTable, BasePrePostModelHooksInConfigWithCount
):
    @pytest.fixture(scope="class")
    def project_config_update(self):
        return spark_model_hooks("pre-hook", "post-hook")


class TestPrePostModelHooksInConfigKwargs(SparkModelHookTable, BasePrePostModelHooksInConfigKwargs):
    pass


class TestDuplicateHooksInConfigs(BaseDuplicateHooksInConfigs):
    pass


class TestHooksRefsOnSeeds(BaseHooksRefsOnSeeds):
    pass


@NEEDS_DELTA
class TestPrePostModelHooksOnSeeds(BasePrePostModelHooksOnSeeds):
    pass


@NEEDS_DELTA
class TestPrePostModelHooksOnSeedsPlusPrefixed(BasePrePostModelHooksOnSeedsPlusPrefixed):
    pass


@NEEDS_DELTA
class TestPrePostModelHooksOnSeedsPlusPrefixedWhitespace(
    BasePrePostModelHooksOnSeedsPlusPrefixedWhitespace
):
    pass


@NEEDS_DELTA
class TestPrePostModelHooksOnSnapshots(BasePrePostModelHooksOnSnapshots):
    pass


@NEEDS_DELTA
class TestPrePostSnapshotHooksInConfigKwargs(BasePrePostSnapshotHooksInConfigKwargs):
    pass


class TestPrePostRunHooks(BasePrePostRunHooks):
    @pytest.fixture(scope="function")
    def setUp(self, project):
        project.run_sql(f"drop table if exists {project.test_schema}.on_run_hook")
        project.run_sql(f"create table {project.test_schema}.on_run_hook {HOOK_TABLE_COLUMNS}")
        project.run_sql(f"drop table if exists {project.test_schema}.schemas")
        project.run_sql(f"drop table if exists {project.test_schema}.db_schemas")
        os.environ["TERM_TEST"] = "TESTING"

    @pytest.fixture(scope="class")
    def project_config_update(self):
        # As the base, with Spark's `string` for Postgres' `text`.
        return {
            "on-run-start": [
                "{{ custom_run_hook('start', target, run_started_at, invocation_id) }}",
                "create table {{ target.schema }}.start_hook_order_test ( id int )",
                "drop table {{ target.schema }}.start_hook_order_test",
                "{{ log(env_var('TERM_TEST'), info=True) }}",
            ],
            "on-run-end": [
                "{{ custom_run_hook('end', target, run_started_at, invocation_id) }}",
                "create table {{ target.schema }}.end_hook_order_test ( id int )",
                "drop table {{ target.schema }}.end_hook_order_test",
                "create table {{ target.schema }}.schemas ( schema string )",
                "insert into {{ target.schema }}.schemas (schema) values "
                "{% for schema in schemas %}( '{{ schema }}' ){% if not loop.last %},{% endif %}"
                "{% endfor %}",
                "create table {{ target.schema }}.db_schemas ( db string, schema string )",
                "insert into {{ target.schema }}.db_schemas (db, schema) values "
                "{% for db, schema in database_schemas %}('{{ db }}', '{{ schema }}' )"
                "{% if not loop.last %},{% endif %}{% endfor %}",
            ],
            "seeds": {
                "quote_columns": False,
            },
        }

    def get_ctx_vars(self, state, project):
        vals = hook_rows(project, "on_run_hook", state)
        assert len(vals) != 0, "nothing inserted into on_run_hook table"
        assert len(vals) == 1, "too many rows in hooks table"
        return vals[0]

    def check_hooks(self, state, project, host):
        ctx = self.get_ctx_vars(state, project)
        check_context(ctx, state, project)
        assert ctx["thread_id"].startswith("Thread-") or ctx["thread_id"] == "MainThread"


class TestAfterRunHooks(BaseAfterRunHooks):
    pass
