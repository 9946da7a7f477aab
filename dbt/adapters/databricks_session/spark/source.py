"""Where the SparkSession comes from. The only place that knows about runtimes.

1. A session that already exists in this process (a Databricks runtime, a notebook, or a session
   the caller created before invoking dbt in-process) is used as is.
2. On a Databricks runtime with no session yet, the runtime's session is created the runtime's way.
3. Anywhere else, an embedded local Spark is started once per process.

The base session is captured once, under a lock, by whichever thread opens the first
connection. We never call `getActiveSession()`: in dbt's worker threads it returns None.
(A Spark Connect source is the next origin to add here.)
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbt.adapters.databricks.logging import logger
from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.databricks_session.spark.local import LocalSparkSettings, start_local_spark

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
    origin: str  # "databricks runtime" | "existing session" | "local"
    settings: LocalSparkSettings | None = None


_lock = threading.Lock()
_current: BaseSession | None = None


def import_pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError:
        raise DbtRuntimeError(PYSPARK_MISSING) from None
    return pyspark.sql


def on_databricks_runtime() -> bool:
    return bool(os.environ.get("DATABRICKS_RUNTIME_VERSION"))


def base_session(settings: LocalSparkSettings) -> BaseSession:
    """The process's base session, found or started on first use."""
    global _current
    with _lock:
        if _current is not None and is_alive(_current.spark):
            _warn_if_settings_differ(_current, settings)
            return _current
        _current = _find_existing() or _start_local(settings)
        _quiet_query_context_loggers()
        return _current


def _quiet_query_context_loggers() -> None:
    """PySpark logs every failed statement as JSON on stderr, stack trace included. dbt reports
    the failures that matter (and dbt-databricks probes for missing relations on purpose)."""
    try:
        from pyspark.logger import PySparkLogger
    except ImportError:  # Spark < 4 (Databricks runtimes before 17) has no such logger
        return
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


def _find_existing() -> BaseSession | None:
    pyspark_sql = import_pyspark()
    from pyspark import SparkContext

    if SparkContext._active_spark_context is not None:
        # getOrCreate() returns the process's default session without starting anything.
        spark = pyspark_sql.SparkSession.builder.getOrCreate()
        origin = "databricks runtime" if on_databricks_runtime() else "existing session"
        logger.info(f"Session mode: using the {origin} (Spark {spark.version})")
        return BaseSession(spark, origin)
    if on_databricks_runtime():
        spark = pyspark_sql.SparkSession.builder.getOrCreate()
        logger.info(f"Session mode: using the Databricks runtime session (Spark {spark.version})")
        return BaseSession(spark, "databricks runtime")
    return None


def _start_local(settings: LocalSparkSettings) -> BaseSession:
    spark = start_local_spark(settings)
    logger.info(
        f"Session mode: started local Spark {spark.version} ({settings.master}); tables and "
        f"metastore in {os.path.abspath(settings.local_dir)}"
    )
    return BaseSession(spark, "local", settings)


def _warn_if_settings_differ(current: BaseSession, wanted: LocalSparkSettings) -> None:
    if current.settings is not None and current.settings != wanted:
        logger.warning(
            "Session mode: this process already runs local Spark with "
            f"{os.path.abspath(current.settings.local_dir)}; new local Spark settings take "
            "effect in a new process."
        )


def is_alive(spark: SparkSession) -> bool:
    context = getattr(spark, "_sc", None)
    return context is not None and getattr(context, "_jsc", None) is not None
