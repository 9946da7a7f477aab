"""One local Spark per test process, shared by unit and functional tests.

Starting Spark costs 10-15 s on a 2-core machine, so the session starts once (session-scoped) and
every dbt invocation in the process finds it as an "existing session".
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

pytest_plugins = ["dbt.tests.fixtures.project"]

SPARK_MASTER = "local[2]"


@pytest.fixture(scope="session")
def spark_local_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("spark"))


@pytest.fixture(scope="session")
def spark(spark_local_dir: str) -> Iterator[Any]:
    from dbt.adapters.databricks_session.spark.local import LocalSparkSettings
    from dbt.adapters.databricks_session.spark.source import base_session

    settings = LocalSparkSettings(master=SPARK_MASTER, local_dir=spark_local_dir)
    session = base_session(settings).spark
    yield session
    session.stop()


@pytest.fixture(scope="class")
def dbt_profile_target(spark: Any, spark_local_dir: str) -> dict[str, Any]:
    return {
        "type": "databricks_session",
        "method": "session",
        "threads": 4,
        "spark_master": SPARK_MASTER,
        "spark_local_dir": spark_local_dir,
    }


@pytest.fixture(autouse=True)
def _no_session_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests decide session mode themselves, whatever the machine's environment says."""
    for name in ("DBT_DATABRICKS_SESSION_MODE", "DATABRICKS_RUNTIME_VERSION"):
        monkeypatch.delenv(name, raising=False)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
