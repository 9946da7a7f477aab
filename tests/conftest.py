"""One local Spark per test process, shared by unit and functional tests.

Starting Spark costs 10-15 s on a 2-core machine, so the session starts once (session-scoped) and
every dbt invocation in the process finds it as an "existing session".

Two legs: `pytest -n 2 --dist loadscope` runs every test on Delta Lake (as a Databricks job
cluster does) in two worker processes, one Spark each (one process keeps only about one of the
machine's two cores busy); `pytest -m parquet --local-table-format parquet` runs the offline
fallback's leg on parquet (a local Spark without Delta's jars): basic materializations, seeds,
incremental append and the "needs Delta" errors. `table_format` tells a test which leg it is in.
Each worker's Spark, metastore and projects live under its own pytest temporary directory;
Delta's jars are resolved once per machine (a file lock serialises the two workers' first start).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest

pytest_plugins = ["dbt.tests.fixtures.project"]

SPARK_MASTER = "local[2]"
# Spark Connect tests serve the process's one local Spark over Connect (one server per process).
CONNECT_REMOTE = "local[2]"
SESSION_KINDS = ("classic", "connect")
TABLE_FORMATS = ("delta", "parquet")
# One JVM serves the whole run and Delta keeps a log and snapshot per table it has touched: with
# Spark's 1 GB default heap the old generation filled after ~100 tests and GC then dominated.
TEST_SPARK_CONF = {"spark.driver.memory": "4g"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--local-table-format",
        choices=TABLE_FORMATS,
        default="delta",
        help="the table format of the test process's local Spark (parquet: the offline leg)",
    )


@pytest.fixture(scope="session")
def table_format(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--local-table-format"))


@pytest.fixture
def delta_only(table_format: str) -> None:
    """For tests of Delta behaviour: the parquet leg has no Delta."""
    if table_format != "delta":
        pytest.skip("needs Delta Lake; this is the parquet leg")


@pytest.fixture
def parquet_only(table_format: str) -> None:
    """For tests of the parquet fallback's clear errors: they run in the parquet leg."""
    if table_format != "parquet":
        pytest.skip("asserts the parquet fallback; runs in the parquet leg")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `both_session_kinds` run once on classic Spark and once over Spark Connect."""
    marked = metafunc.definition.get_closest_marker("both_session_kinds") is not None
    if marked and "session_kind" in metafunc.fixturenames:
        metafunc.parametrize("session_kind", SESSION_KINDS, indirect=True, scope="class")


@pytest.fixture(scope="session")
def spark_local_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("spark"))


@pytest.fixture(scope="session")
def spark(spark_local_dir: str, table_format: str) -> Iterator[Any]:
    from dbt.adapters.databricks_session.spark.local import LocalSparkSettings
    from dbt.adapters.databricks_session.spark.source import base_session

    settings = LocalSparkSettings(
        master=SPARK_MASTER,
        local_dir=spark_local_dir,
        conf=TEST_SPARK_CONF,
        table_format=table_format,
    )
    session = base_session(settings).spark
    yield session
    session.stop()


@pytest.fixture(scope="class")
def session_kind(request: pytest.FixtureRequest) -> str:
    """`classic` unless a test is parametrized with `both_session_kinds`."""
    return str(getattr(request, "param", "classic"))


@pytest.fixture(scope="class")
def prefix(session_kind: str) -> str:
    """dbt-tests-adapter's schema prefix, one per session kind. pytest reuses a class fixture
    that does not depend on the parameter, but a class run on both kinds must not reuse the
    first run's schema (the `spark` fixture's session caches its file listings) or files."""
    return f"test{time.time_ns() // 1000}{random.randint(0, 9999):04}{session_kind[:2]}"


@pytest.fixture(scope="class")
def project_root(tmpdir_factory: pytest.TempdirFactory, session_kind: str) -> Any:
    """dbt-tests-adapter's project directory, one per session kind (as `prefix`).

    Also forgets the adapters an earlier test's own dbt invocation left registered: the suite's
    `adapter` fixture (which needs this one) registers the class's adapter, and dbt keeps an
    adapter already registered under the same type instead (found with a `catalog: main`
    profile of `dbt init`'s test leaking into the next class of the same worker)."""
    from dbt.adapters.factory import reset_adapters

    reset_adapters()
    return tmpdir_factory.mktemp(f"project_{session_kind}")


@pytest.fixture(scope="class")
def profiles_root(tmpdir_factory: pytest.TempdirFactory, session_kind: str) -> Any:
    return tmpdir_factory.mktemp(f"profile_{session_kind}")


@pytest.fixture(scope="class")
def spark_remote(session_kind: str) -> str | None:
    return CONNECT_REMOTE if session_kind == "connect" else None


@pytest.fixture(scope="class")
def dbt_profile_target(
    spark: Any, spark_local_dir: str, spark_remote: str | None, table_format: str
) -> dict[str, Any]:
    target = {
        "type": "databricks_session",
        "method": "session",
        "threads": 4,
        "spark_master": SPARK_MASTER,
        "spark_local_dir": spark_local_dir,
        "local_table_format": table_format,
        "spark_conf": TEST_SPARK_CONF,
    }
    return {**target, "spark_remote": spark_remote} if spark_remote else target


def pytest_configure(config: pytest.Config) -> None:
    """dbt_common labels each behaviour flag with the module that defined it by walking the whole
    call stack (`inspect.stack()`), for every flag, every time an adapter is registered, i.e. in
    every dbt invocation. In a pytest-xdist worker the stack holds frames of code that execnet
    exec'd without module files, and `inspect.getmodule` scans all of sys.modules (3,000 here)
    for each such frame: measured, that walk was 60 % of a worker's Python time (a basic suite's
    user CPU 64 s with it, 26 s without; 27 s and 22 s without xdist). The label only names the
    flag's source in a behaviour-change event, which no test reads."""
    from dbt_common import behavior_flags

    behavior_flags.BehaviorFlagRendered._default_source = staticmethod(  # type: ignore[method-assign]
        lambda: "dbt.adapters"
    )


@pytest.fixture(autouse=True)
def _no_session_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests decide session mode themselves, whatever the machine's environment says."""
    for name in ("DBT_DATABRICKS_SESSION_MODE", "DATABRICKS_RUNTIME_VERSION"):
        monkeypatch.delenv(name, raising=False)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
