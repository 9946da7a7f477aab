"""Where the SparkSession comes from. The only place that knows about runtimes.

1. A Spark Connect server named by the profile's `spark_remote`: `sc://...`, or `local[N]` to
   serve this process's local Spark over Connect.
2. A session that already exists in this process (a Databricks runtime or notebook, Spark
   Connect on serverless and standard-access clusters, or a session the caller created before
   invoking dbt in-process) is used as is.
3. On a Databricks runtime with no session yet, the runtime's session is created the runtime's way.
4. A Spark Connect server named by the SPARK_REMOTE environment variable (pyspark's convention).
5. Anywhere else, an embedded local Spark is started once per process.

A base session is captured once per remote, under a lock, by whichever thread opens the first
connection. We never call `getActiveSession()` on classic Spark: in dbt's worker threads it
returns None.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from dbt.adapters.databricks.logging import logger
from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.databricks_session.spark import connect, jvm_output
from dbt.adapters.databricks_session.spark.delta import delta_version
from dbt.adapters.databricks_session.spark.local import (
    LocalSparkSettings,
    start_local_spark,
    without_spark_remote,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PYSPARK_MISSING = (
    "Session mode needs pyspark, which is not installed. Locally, install the extra: "
    "pip install 'dbt-databricks-session[local]'. On a Databricks runtime pyspark is "
    "pre-installed: run dbt in the job's own Python environment."
)


@dataclass(frozen=True)
class BaseSession:
    spark: SparkSession
    origin: str  # "databricks runtime" | "existing session" | "local" | "... Spark Connect ..."
    settings: LocalSparkSettings | None = None
    remote: str | None = None  # the Connect URL this adapter connected to (may hold a token)

    @property
    def is_connect(self) -> bool:
        return connect.is_connect(self.spark)


SPARK_REMOTE_ENV = "SPARK_REMOTE"
_lock = threading.Lock()
# One base per `spark_remote` (None: no remote). A test process may hold both kinds at once.
_bases: dict[str | None, BaseSession] = {}


def import_pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError:
        raise DbtRuntimeError(PYSPARK_MISSING) from None
    return pyspark.sql


def on_databricks_runtime() -> bool:
    return bool(os.environ.get("DATABRICKS_RUNTIME_VERSION"))


def base_session(settings: LocalSparkSettings, remote: str | None = None) -> BaseSession:
    """The process's base session for `remote`, found or started on first use."""
    key = remote.strip() if remote else None
    with _lock:
        current = _bases.get(key)
        if current is not None and is_alive(current.spark):
            _warn_if_settings_differ(current, settings)
            return current
        base = _open_remote(key, settings) if key else _find_or_start(settings)
        _bases[key] = base
        _quiet_query_context_loggers()
        return base


def _quiet_query_context_loggers() -> None:
    """PySpark logs every failed statement as JSON on stderr, stack trace included. dbt reports
    the failures that matter (and dbt-databricks probes for missing relations on purpose)."""
    try:
        from pyspark.logger import PySparkLogger
    except ImportError:  # Spark < 4 (Databricks runtimes before 17) has no such logger
        return
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


def _find_or_start(settings: LocalSparkSettings) -> BaseSession:
    existing = _find_existing()
    if existing is not None:
        return existing
    # Only now: a serverless notebook may set SPARK_REMOTE, and its own session comes first.
    env_remote = os.environ.get(SPARK_REMOTE_ENV, "").strip()
    return _open_remote(env_remote, settings) if env_remote else _start_local(settings)


def _open_remote(remote: str, settings: LocalSparkSettings) -> BaseSession:
    if connect.is_local_remote(remote):
        classic = _local_classic(replace(settings, master=remote))
        url, origin = connect.serve_over_connect(classic.spark), "local Spark Connect server"
    else:
        url, origin = remote, "Spark Connect server"
    import_pyspark()
    spark = connect.connect(url)
    logger.info(f"Session mode: using the {origin} {connect.redact(url)} (Spark {spark.version})")
    return BaseSession(spark, origin, settings if connect.is_local_remote(remote) else None, url)


def _local_classic(settings: LocalSparkSettings) -> BaseSession:
    """The in-process classic Spark a local Connect server runs in, found or started (and then
    also the base of profiles without a remote, unless they already have a live one)."""
    current = _bases.get(None)
    if current is not None and not current.is_connect and is_alive(current.spark):
        return current
    base = _find_existing_classic() or _start_local(settings)
    if current is None or not is_alive(current.spark):
        _bases[None] = base
    return base


def _find_existing() -> BaseSession | None:
    existing = connect.existing_connect_session()
    if existing is not None:
        origin = "existing Spark Connect session"
        logger.info(f"Session mode: using the {origin} (Spark {existing.version})")
        return BaseSession(existing, origin)
    return _find_existing_classic()


def _find_existing_classic() -> BaseSession | None:
    pyspark_sql = import_pyspark()
    from pyspark import SparkContext

    if SparkContext._active_spark_context is not None:
        # getOrCreate() returns the process's default session without starting anything.
        with without_spark_remote():
            spark = pyspark_sql.SparkSession.builder.getOrCreate()
        origin = "databricks runtime" if on_databricks_runtime() else "existing session"
        logger.info(f"Session mode: using the {origin} (Spark {spark.version})")
        return BaseSession(spark, origin)
    if on_databricks_runtime():
        # On serverless and standard-access clusters this is a Spark Connect session.
        spark = pyspark_sql.SparkSession.builder.getOrCreate()
        logger.info(f"Session mode: using the Databricks runtime session (Spark {spark.version})")
        return BaseSession(spark, "databricks runtime")
    return None


def _start_local(settings: LocalSparkSettings) -> BaseSession:
    logger.info(jvm_output.starting_line(settings.master, settings.local_dir))
    started = time.monotonic()
    spark = start_local_spark(settings)
    version = delta_version(spark)
    tables = f"Delta Lake {version} tables" if version else "parquet tables"
    logger.info(
        f"Session mode: started local Spark {spark.version} ({settings.master}) in "
        f"{time.monotonic() - started:.1f} s; {tables} and metastore in "
        f"{os.path.abspath(settings.local_dir)}"
    )
    return BaseSession(spark, "local", settings)


def _warn_if_settings_differ(current: BaseSession, wanted: LocalSparkSettings) -> None:
    if current.settings is not None and current.settings != wanted:
        logger.warning(
            "Session mode: this process already runs local Spark with "
            f"{os.path.abspath(current.settings.local_dir)}; new local Spark settings take "
            "effect in a new process."
        )


def is_alive(spark: Any) -> bool:
    if connect.is_connect(spark):
        return not spark.is_stopped
    context = getattr(spark, "_sc", None)
    return context is not None and getattr(context, "_jsc", None) is not None
