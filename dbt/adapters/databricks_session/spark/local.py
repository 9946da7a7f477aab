"""The embedded local Spark used where no Databricks runtime or caller's session exists.

Tables live in a Hive metastore (embedded Derby) and a warehouse directory under one local
directory, by default inside the dbt project's target path: separate `dbt seed`, `dbt run` and
`dbt test` processes see the same tables, and `dbt clean` resets them. Tables are Delta, as on a
Databricks job cluster (spark/delta.py finds the jars); where the jars cannot be had and the
profile did not ask for Delta explicitly, local Spark starts on parquet and says why in one line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dbt.adapters.databricks.logging import logger
from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.databricks_session.spark import delta, jvm_output
from dbt.adapters.databricks_session.spark.errors import spark_error_message
from dbt.adapters.databricks_session.spark.local_dir import ensure_local_dir

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MIN_JAVA_MAJOR = 17
DEFAULT_MASTER = "local[*]"
DELTA = "delta"
PARQUET = "parquet"
TABLE_FORMATS = (DELTA, PARQUET)
APP_NAME = "dbt-databricks-session"
# Spark logs every failed statement at ERROR from the JVM; dbt already reports the failures
# that matter, and dbt-databricks probes for missing relations on purpose.
DEFAULT_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "FATAL",
    # The embedded Hive metastore would record "0 rows" for every CTAS table (it never counts
    # them), which `dbt docs generate` then shows as the table's row count.
    "spark.hadoop.hive.stats.autogather": "false",
    # The metastore retries a failed write 10 times, 2 s apart (a view too long for Derby took
    # 42 s to fail); in-process Derby needs no such wait, so keep the retries but not the sleep.
    "spark.hadoop.hive.hmshandler.retry.interval": "100ms",
    # A parquet table's column comment over the metastore's 256 characters cannot be stored the
    # Hive way; Spark then keeps the schema in its own table properties, which this check refuses
    # ("types incompatible with the existing columns"), failing persist_docs' ALTER COLUMN.
    "spark.hadoop.hive.metastore.disallow.incompatible.col.type.changes": "false",
}


@dataclass(frozen=True)
class LocalSparkSettings:
    master: str = DEFAULT_MASTER
    local_dir: str = ""
    conf: dict[str, str] = field(default_factory=dict)
    # `delta` | `parquet`; None: Delta, or parquet (with one line saying why) without its jars.
    table_format: str | None = None

    def spark_conf(self, with_delta: bool = False) -> dict[str, str]:
        """Every Spark setting the local session starts with (user conf wins)."""
        root = os.path.abspath(self.local_dir)
        metastore = os.path.join(root, "metastore_db")
        return {
            **DEFAULT_CONF,
            "spark.sql.warehouse.dir": os.path.join(root, "warehouse"),
            "spark.sql.catalogImplementation": "hive",
            "spark.hadoop.javax.jdo.option.ConnectionURL": (
                f"jdbc:derby:;databaseName={metastore};create=true"
            ),
            "spark.driver.extraJavaOptions": f"-Dderby.system.home={root}",
            "spark.sql.sources.default": DELTA if with_delta else PARQUET,
            **{key: str(value) for key, value in self.conf.items()},
        }

    def startup_conf(self, java: str) -> dict[str, str]:
        """spark_conf() plus Delta Lake's jars and settings, unless this run is on parquet."""
        if self.table_format == PARQUET:
            return self.spark_conf()
        try:
            extra = delta.delta_conf(self.conf, java)
        except delta.DeltaUnavailable as exc:
            if self.table_format == DELTA:
                raise DbtRuntimeError(
                    f"`local_table_format: delta`: local Spark cannot load Delta Lake: {exc}. "
                    f"{DELTA_FIX}, or set `local_table_format: parquet`."
                ) from None
            logger.warning(
                f"Session mode: local Spark runs on parquet, without Delta Lake: {exc}. "
                f"{DELTA_FIX}; `local_table_format: parquet` silences this."
            )
            return self.spark_conf()
        return {**self.spark_conf(with_delta=True), **extra}


DELTA_FIX = (
    "Run once with network access (the jars are cached per user), or point `spark_conf` at a "
    "Maven mirror (`spark.jars.repositories`) or at local jars (`spark.jars`)"
)


def start_local_spark(settings: LocalSparkSettings) -> SparkSession:
    """Start the embedded Spark, failing with one clear message for each known cause."""
    java = check_java()
    from pyspark.sql import SparkSession

    ensure_local_dir(settings.local_dir)
    conf = settings.startup_conf(java)
    try:
        with without_spark_remote():
            builder: Any = SparkSession.builder.master(settings.master).appName(APP_NAME)
            for key, value in conf.items():
                builder = builder.config(key, value)
            spark = jvm_output.get_or_create_quietly(builder, settings.local_dir)
    except Exception as exc:
        raise DbtRuntimeError(
            f"Could not start local Spark ({settings.master}): {spark_error_message(exc)}"
        ) from exc
    _open_metastore(spark, settings)
    return spark


@contextmanager
def without_spark_remote() -> Iterator[None]:
    """pyspark's builder makes a Spark Connect session instead when SPARK_REMOTE is set (and
    refuses a master beside it); inside this block it makes or finds the classic session, which
    a local Connect server runs in."""
    saved = os.environ.pop("SPARK_REMOTE", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["SPARK_REMOTE"] = saved


def _open_metastore(spark: SparkSession, settings: LocalSparkSettings) -> None:
    """Touch the metastore now, so a locked Derby database fails here with a clear message."""
    try:
        spark.sql("SHOW DATABASES").collect()
    except Exception as exc:
        spark.stop()
        text = spark_error_message(exc)
        if "Derby" in text or "XSDB6" in text or "SessionHiveMetaStoreClient" in text:
            raise DbtRuntimeError(
                "The local Spark metastore in "
                f"{os.path.abspath(settings.local_dir)} is in use by another process (a second "
                "dbt command on the same project?). Wait for it to finish, or give this run its "
                "own directory with the profile key `spark_local_dir`."
            ) from None
        raise DbtRuntimeError(f"Could not open the local Spark metastore: {text}") from exc


def check_java() -> str:
    """The `java` to use; fails clearly when none, or one older than Spark 4 needs, exists."""
    java = _java_executable()
    if java is None:
        raise DbtRuntimeError(
            "Local Spark needs Java 17 or newer, and no `java` was found. Install a JDK 17+ "
            "(for example `apt-get install openjdk-17-jre-headless`) or set JAVA_HOME."
        )
    major = java_major_version(java)
    if major is not None and major < MIN_JAVA_MAJOR:
        raise DbtRuntimeError(
            f"Local Spark needs Java {MIN_JAVA_MAJOR} or newer, but {java} is Java {major}. "
            "Install a JDK 17+ and point JAVA_HOME at it."
        )
    return java


def _java_executable() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = os.path.join(java_home, "bin", "java")
        return candidate if os.access(candidate, os.X_OK) else None
    return shutil.which("java")


def java_major_version(java: str) -> int | None:
    """The major version `java -version` reports (8 for "1.8.0_392"), or None if unreadable."""
    try:
        result = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_java_major(result.stderr + result.stdout)


def parse_java_major(version_text: str) -> int | None:
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_text)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major
