"""Fixtures for Jobs API submissions from session mode against the offline emulator."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.databricks_emulator import DatabricksEmulator

POLL = 0.05
CLUSTER_ID = "1234a-123-1234"  # seed 000's existing_cluster_id
EXISTING_JOB_ID = 12341234  # seed 000's existing_job_id

POST_HOOK_NOTEBOOK = """# Databricks notebook source
print("post hook ran")
"""

OPTIMIZE_NOTEBOOK = """# Databricks notebook source
table = ".".join(dbutils.widgets.get(k) for k in ("database", "schema", "table_name"))
# COMMAND ----------
# Fails unless the model's task wrote the table first.
assert spark.table(table).count() >= 0
"""


@pytest.fixture(autouse=True)
def _no_databricks_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """The SDK's default chain must see only what a test sets."""
    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "ARM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no-databrickscfg"))


@pytest.fixture(scope="class")
def emulator(spark: Any) -> Iterator[DatabricksEmulator]:
    with DatabricksEmulator(spark=spark) as emu:
        emu.add_cluster(CLUSTER_ID)
        emu.add_notebook("/my_notebook_path", POST_HOOK_NOTEBOOK)
        emu.add_notebook("/OPTIMIZE_AND_VACUUM", OPTIMIZE_NOTEBOOK)
        emu.add_job({"name": "seed-000-existing"}, job_id=EXISTING_JOB_ID)
        yield emu


@pytest.fixture(scope="class")
def dbt_profile_target(
    spark: Any, spark_local_dir: str, emulator: DatabricksEmulator, table_format: str
) -> dict[str, Any]:
    return {
        "type": "databricks_session",
        "method": "session",
        "threads": 4,
        "spark_master": "local[2]",
        "spark_local_dir": spark_local_dir,
        "local_table_format": table_format,
        "host": emulator.url,
        "token": emulator.token,
        "jobs_api_poll_interval": POLL,
    }
