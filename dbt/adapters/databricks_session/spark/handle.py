"""One dbt connection's own Spark session: isolated state, tagged statements, cancel."""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from dbt.adapters.databricks.handle import SqlUtils
from dbt.adapters.databricks.logging import logger
from dbt_common.exceptions import DbtDatabaseError, DbtRuntimeError

from dbt.adapters.databricks_session.spark.cursor import SessionCursor
from dbt.adapters.databricks_session.spark.errors import as_database_error, is_spark_error
from dbt.adapters.databricks_session.spark.literals import (
    cast_text,
    render_bindings,
    string_literal,
)
from dbt.adapters.databricks_session.spark.source import BaseSession, on_databricks_runtime

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DBR_VERSION_CONF = "spark.databricks.clusterUsageTags.sparkVersion"
TABLE_COLUMNS = (
    ("TABLE_CAT", "string"),
    ("TABLE_SCHEM", "string"),
    ("TABLE_NAME", "string"),
    ("TABLE_TYPE", "string"),
    ("REMARKS", "string"),
)
SCHEMA_COLUMNS = (("TABLE_SCHEM", "string"), ("TABLE_CATALOG", "string"))
AFFECTED_ROWS_COLUMN = "num_affected_rows"


def cancel_job_group(context: Any, group: str) -> None:
    """Cancel the group's running jobs and the ones it submits later (a statement or model can
    start its next job just after a plain cancelJobGroup). Group names are unique per statement,
    so nothing else is affected. Spark before 4.0 has only cancelJobGroup."""
    try:
        context._jsc.sc().cancelJobGroupAndFutureJobs(group)
    except Exception as exc:
        if not is_spark_error(exc):
            raise
        context.cancelJobGroup(group)


# Static Spark conf (cluster tags, SQL extensions) of each base session, read once per process:
# dbt asks for the facts derived from it several times per model, and every read is a JVM round
# trip that waits behind running statements.
_static_conf: weakref.WeakKeyDictionary[Any, dict[str, str | None]] = weakref.WeakKeyDictionary()
_static_conf_lock = threading.Lock()


def static_conf(spark: SparkSession, key: str) -> str | None:
    """`spark.conf.get(key, None)` for a conf that cannot change while the session lives."""
    with _static_conf_lock:
        known = _static_conf.setdefault(spark, {})
        if key in known:
            return known[key]
    value = spark.conf.get(key, None)
    with _static_conf_lock:
        known[key] = value
    return value


def quote_identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


class SessionHandle:
    """Wraps `base.newSession()`: `USE`, `SET`, variables and temp views stay in this connection.

    `label` returns the dbt node this connection currently works for; every statement runs
    under a Spark job group named after it, so the Spark UI shows which model ran what and
    `cancel()` interrupts exactly this connection's jobs.
    """

    def __init__(self, spark: SparkSession, base: BaseSession, label: Callable[[], str]) -> None:
        self.spark = spark
        self.base = base
        self._label = label
        self.session_id = uuid.uuid4().hex
        self.open = True
        self._running_group: str | None = None
        self._lock = threading.Lock()

    # -- facts about the session ---------------------------------------------------------------

    @property
    def runtime_version(self) -> tuple[int, int] | None:
        """The Databricks runtime version, or None on open-source Spark."""
        version = static_conf(self.base.spark, DBR_VERSION_CONF)
        return SqlUtils.extract_dbr_version(version) if version else None

    @property
    def dbr_version(self) -> tuple[int, int]:
        # Open-source Spark compares lower than every runtime: no runtime-only SQL is emitted.
        return self.runtime_version or (0, 0)

    @property
    def has_delta(self) -> bool:
        if on_databricks_runtime() or self.runtime_version is not None:
            return True
        extensions = static_conf(self.base.spark, "spark.sql.extensions") or ""
        return "DeltaSparkSessionExtension" in extensions

    # -- statements ----------------------------------------------------------------------------

    def execute(self, sql: str, bindings: Sequence[Any] | None = None) -> SessionCursor:
        """Run one statement now and hold its result, as a warehouse does on execute."""
        text = SqlUtils.clean_sql(render_bindings(sql, bindings))
        statement_id = uuid.uuid4().hex
        with self.spark_errors(), self.job_group(statement_id):
            frame = self.spark.sql(text)
            columns = [(f.name, f.dataType.simpleString()) for f in frame.schema.fields]
            # A result without columns is a command (DDL, DML without a row count) that
            # `spark.sql` has already run: there is nothing to fetch, and a collect would cost a
            # result-socket round trip per statement.
            rows = [tuple(row) for row in frame.collect()] if columns else []
        affected = (
            rows[0][0] if rows and columns[:1] == [(AFFECTED_ROWS_COLUMN, "bigint")] else None
        )
        return SessionCursor(columns, rows, statement_id, affected)

    def list_tables(self, database: str, schema: str) -> SessionCursor:
        """Tables and views of a schema, in the DBSQL `cursor.tables()` column shape."""
        namespace = f"{quote_identifier(database)}.{quote_identifier(schema)}"
        with self.spark_errors(), self.job_group(uuid.uuid4().hex):
            tables = self.spark.sql(f"SHOW TABLES IN {namespace}").collect()
            views = {
                row["viewName"] for row in self.spark.sql(f"SHOW VIEWS IN {namespace}").collect()
            }
        rows = [
            (
                database,
                schema,
                row["tableName"],
                "VIEW" if row["tableName"] in views else "TABLE",
                "",
            )
            for row in tables
            if not row["isTemporary"]
        ]
        return SessionCursor(TABLE_COLUMNS, rows, uuid.uuid4().hex)

    def list_schemas(self, database: str, schema: str | None = None) -> SessionCursor:
        """Schemas of a catalog, in the DBSQL `cursor.schemas()` column shape."""
        like = f" LIKE {string_literal(schema)}" if schema else ""
        sql = f"SHOW SCHEMAS IN {quote_identifier(database)}{like}"
        with self.spark_errors(), self.job_group(uuid.uuid4().hex):
            names = [row[0] for row in self.spark.sql(sql).collect()]
        return SessionCursor(SCHEMA_COLUMNS, [(name, database) for name in names], uuid.uuid4().hex)

    def load_rows(
        self, table: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]
    ) -> int:
        """Overwrite `table` with `rows`, each value cast in Spark from its exact text.

        One DataFrame write instead of thousands of `insert ... values` literals. A value the
        column type cannot hold fails the load: Spark's non-ANSI CAST would silently make it NULL.
        """
        from pyspark.sql.types import StringType, StructField, StructType

        schema = StructType([StructField(f"_c{i}", StringType()) for i in range(len(columns))])
        text_rows = [[cast_text(value) for value in row] for row in rows]
        casts = [
            f"CAST(_c{i} AS {type_name}) AS {quote_identifier(name)}"
            for i, (name, type_name) in enumerate(columns)
        ]
        with self.spark_errors(), self.job_group(uuid.uuid4().hex):
            raw = self.spark.createDataFrame(text_rows, schema)
            self._check_casts(raw, columns)
            raw.selectExpr(*casts).write.insertInto(table, overwrite=True)
        return len(text_rows)

    def _check_casts(self, raw: Any, columns: Sequence[tuple[str, str]]) -> None:
        # try_cast: under ANSI mode a plain CAST would fail here with Spark's message about the
        # internal column `_cN` instead of the seed column's name.
        lost = [
            f"sum(CAST(_c{i} IS NOT NULL AND try_cast(_c{i} AS {type_name}) IS NULL AS INT))"
            for i, (_, type_name) in enumerate(columns)
        ]
        counts = raw.selectExpr(*lost).collect()[0] if columns else []
        bad = [(name, type_name) for (name, type_name), n in zip(columns, counts) if n]
        if bad:
            described = ", ".join(f"`{name}` as {type_name}" for name, type_name in bad)
            raise DbtRuntimeError(
                f"Seed values do not fit their column types ({described}): Spark would load "
                "them as NULL. Widen the type with the seed's `column_types` config."
            )

    # -- lifecycle -----------------------------------------------------------------------------

    def cancel(self) -> None:
        """Interrupt this connection's running Spark jobs (Ctrl-C), then close."""
        self.interrupt()
        self.close()

    def interrupt(self) -> None:
        """Cancel the Spark jobs of the statement or Python model running now, if any."""
        with self._lock:
            group = self._running_group
        if group is not None:
            logger.debug(f"{self} - cancelling Spark job group {group}")
            cancel_job_group(self.spark.sparkContext, group)

    def close(self) -> None:
        self.open = False

    def rollback(self) -> None:
        """Spark has no transactions; dbt-databricks never opens one."""

    # -- helpers -------------------------------------------------------------------------------

    @contextmanager
    def job_group(self, statement_id: str) -> Iterator[None]:
        """Run the block's Spark jobs under one job group naming the current dbt node."""
        if not self.open:
            raise DbtRuntimeError("Attempting to execute on a closed connection")
        group = f"dbt-{self.session_id[:8]}-{statement_id}"
        context = self.spark.sparkContext
        context.setJobGroup(group, f"dbt: {self._label()}", interruptOnCancel=True)
        with self._lock:
            self._running_group = group
        try:
            yield
        finally:
            with self._lock:
                self._running_group = None

    @contextmanager
    def spark_errors(self) -> Iterator[None]:
        """PySpark and Py4J failures inside the block become DbtDatabaseError."""
        try:
            yield
        except DbtDatabaseError:
            raise
        except Exception as exc:
            if is_spark_error(exc):
                raise as_database_error(exc) from exc
            raise

    def __str__(self) -> str:
        return f"SessionHandle(session-id={self.session_id})"


def open_handle(
    base: BaseSession,
    catalog: str | None,
    schema: str | None,
    session_properties: dict[str, Any],
    label: Callable[[], str],
) -> SessionHandle:
    """A new isolated session on `base`, set to the profile's catalog, schema and properties.

    No DDL runs here: a schema that does not exist yet is simply not made current.
    """
    handle = SessionHandle(base.spark.newSession(), base, label)
    with handle.spark_errors():
        for key, value in session_properties.items():
            handle.spark.conf.set(key, str(value))
        if catalog:
            _use_catalog(handle.spark, catalog)
        if schema:
            _use_schema_if_it_exists(handle.spark, schema)
    return handle


def _use_schema_if_it_exists(spark: SparkSession, schema: str) -> None:
    """One metastore round trip when the schema exists (every connection after the first run's
    `create schema`), a second only when it does not."""
    try:
        spark.catalog.setCurrentDatabase(schema)
    except Exception as exc:
        if not is_spark_error(exc) or spark.catalog.databaseExists(schema):
            raise


def _use_catalog(spark: SparkSession, catalog: str) -> None:
    try:
        spark.catalog.setCurrentCatalog(catalog)
    except Exception as exc:
        if not is_spark_error(exc):
            raise
        hint = (
            " Open-source Spark has one catalog, `spark_catalog`: set `catalog: spark_catalog` "
            "or leave `catalog` out of the profile."
            if not on_databricks_runtime()
            else ""
        )
        raise DbtRuntimeError(
            f"The catalog `{catalog}` from the profile does not exist in this Spark session.{hint}"
        ) from None
