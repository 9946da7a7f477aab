from typing import Any

import pytest
from dbt.tests.adapter.incremental.test_incremental_on_schema_change import (
    BaseIncrementalOnSchemaChange,
)
from dbt.tests.util import get_relation_columns, run_dbt

pytestmark = pytest.mark.parquet  # incremental append on the parquet fallback too


# Delta drops a column only from a table with column mapping, on Databricks as locally.
COLUMN_MAPPING = {
    "delta.columnMapping.mode": "name",
    "delta.minReaderVersion": "2",
    "delta.minWriterVersion": "5",
}


class TestIncrementalOnSchemaChange(BaseIncrementalOnSchemaChange):
    # Every model in the suite sets `unique_key`, with which dbt-databricks defaults to `merge`,
    # a Delta-only strategy. Without Delta the models say `append` (their incremental SQL
    # already selects only the ids the table lacks).
    @pytest.fixture(scope="class")
    def project_config_update(self, table_format: str) -> dict[str, Any]:
        if table_format == "delta":
            return {"models": {"+tblproperties": COLUMN_MAPPING}}
        return {"models": {"+incremental_strategy": "append"}}

    def test_run_incremental_sync_all_columns(self, project: Any, table_format: str) -> None:
        """On Delta (with column mapping) the suite's own test: columns are added and dropped.

        Parquet tables cannot drop columns: `sync_all_columns` fails with one clear error.

        It names the setting and the columns, and leaves the table untouched (the columns it
        would add are not added either).
        """
        if table_format == "delta":
            super().test_run_incremental_sync_all_columns(project)
            return
        for model in ("incremental_sync_all_columns", "incremental_sync_remove_only"):
            run_dbt(["run", "--select", f"model_a {model}", "--full-refresh"])
            columns_before = get_relation_columns(project.adapter, model)

            results = run_dbt(["run", "--select", f"model_a {model}"], expect_pass=False)

            failed = [result for result in results if result.status == "error"]
            assert [result.node.name for result in failed] == [model]
            message = failed[0].message
            assert "on_schema_change 'sync_all_columns' dropping columns (field2)" in message
            assert "requires Delta Lake" in message
            assert get_relation_columns(project.adapter, model) == columns_before
            rows = project.run_sql(f"select count(*) from {{schema}}.{model}", fetch="one")
            assert rows[0] == 3
