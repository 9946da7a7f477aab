"""One dbt connection's own Spark session: isolated state, tagged statements, cancel."""

from __future__ import annotations

import re
import threading
import uuid
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from dbt.adapters.databricks.handle import SqlUtils
from dbt.adapters.databricks.logging import logger
from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.databricks_session.spark import connect, delta, results
from dbt.adapters.databricks_session.spark.cursor import SessionCursor
from dbt.adapters.databricks_session.spark.errors import is_spark_error, spark_errors
from dbt.adapters.databricks_session.spark.literals import (
    cast_text,
    render_bindings,
    string_literal,
)
from dbt.adapters.databricks_session.spark.metrics import ClassicProbe, RunTimer, classic_probe
from dbt.adapters.databricks_session.spark.namespace import set_namespace
from dbt.adapters.databricks_session.spark.source import BaseSession, on_databricks_runtime
from dbt.adapters.databricks_session.spark.statements import LEADING_COMMENTS, split_statements

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
# Statements that change a session's state for the statements after them, found behind dbt's
# query comment and any other leading comments.
_STATE_CHANGE = re.compile(
    LEADING_COMMENTS + r"(USE|SET|RESET|DECLARE)\b", re.IGNORECASE | re.DOTALL
)
_warned_state_changes: set[str] = set()


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
    """Wraps a new session on `base`: `USE`, `SET`, variables and temp views stay in this
    connection. (`shared`: a Spark Connect source that cannot make one; see open_handle.)

    `label` returns the dbt node this connection currently works for; every statement runs
    under a Spark job group (classic) or operation tags (Connect) named after it, so the Spark
    UI shows which model ran what and `cancel()` interrupts exactly this connection's work.
    """

    def __init__(
        self,
        spark: SparkSession,
        base: BaseSession,
        label: Callable[[], str],
        shared: bool = False,
    ) -> None:
        self.spark = spark
        self.base = base
        self._label = label
        self.shared = shared
        self.is_connect = connect.is_connect(spark)
        self.session_id = uuid.uuid4().hex
        self.open = True
        self.cancelled = False
        self._running_group: str | None = None
        self._lock = threading.Lock()
        self._probe: ClassicProbe | None = None
        self._probed = False

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

    @property
    def delta_version(self) -> str | None:
        """Delta Lake's version on local Spark, "the runtime's" on Databricks, else None."""
        if on_databricks_runtime() or self.runtime_version is not None:
            return "the Databricks runtime's"
        return delta.delta_version(self.base.spark) if self.has_delta else None

    # -- statements ----------------------------------------------------------------------------

    def execute(self, sql: str, bindings: Sequence[Any] | None = None) -> SessionCursor:
        """Run the statement(s) now and hold the last one's result, as a warehouse does."""
        *leading, text = split_statements(SqlUtils.clean_sql(render_bindings(sql, bindings)))
        if self.shared:
            for statement in (*leading, text):
                _warn_if_state_changes(statement)
        statement_id = uuid.uuid4().hex
        run = self.start_run()
        with self.spark_errors(), self.job_group(statement_id):
            for statement in leading:  # a sql_header's SET and the like: commands, run eagerly
                self.spark.sql(statement)
            frame = self.spark.sql(text)
            columns, rows = results.fetch(frame, self.is_connect)
        metrics = run.finish(self.group_name(statement_id))
        if run.probe is not None:
            metrics.written = run.probe.statement_written(frame, text, run.started_ms)
        affected = (
            rows[0][0] if rows and columns[:1] == [(AFFECTED_ROWS_COLUMN, "bigint")] else None
        )
        return SessionCursor(columns, rows, statement_id, affected, metrics)

    def start_run(self) -> RunTimer:
        """Start timing a statement or Python model (and, on classic Spark, counting jobs)."""
        if not self.is_connect and not self._probed:
            self._probe, self._probed = classic_probe(self.spark), True
        return RunTimer(self._probe)

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
        self.cancelled = True
        self.interrupt()
        self.close()

    def interrupt(self) -> None:
        """Cancel the Spark jobs of the statement or Python model running now, if any."""
        with self._lock:
            group = self._running_group
        if group is None:
            return
        logger.debug(f"{self} - cancelling Spark job group {group}")
        if not self.is_connect:
            cancel_job_group(self.spark.sparkContext, group)
            return
        try:
            self.spark.interruptTag(group)
        except Exception as exc:  # the session may be closing; there is nothing left to stop
            logger.debug(f"{self} - could not interrupt {group}: {exc}")

    def close(self) -> None:
        """Mark closed; a Connect session made for this connection is released on the server."""
        was_open, self.open = self.open, False
        if was_open and self.is_connect and not self.shared:
            connect.release(self.spark)

    def rollback(self) -> None:
        """Spark has no transactions; dbt-databricks never opens one."""

    # -- helpers -------------------------------------------------------------------------------

    @contextmanager
    def job_group(self, statement_id: str) -> Iterator[None]:
        """Run the block's Spark jobs under one job group naming the current dbt node."""
        if not self.open:
            raise DbtRuntimeError("Attempting to execute on a closed connection")
        group = self.group_name(statement_id)
        tags = (group, connect.node_tag(self._label())) if self.is_connect else ()
        if self.is_connect:
            # Connect tags belong to this thread's operations only, even on a shared session.
            for tag in tags:
                self.spark.addTag(tag)
        else:
            context = self.spark.sparkContext
            context.setJobGroup(group, f"dbt: {self._label()}", interruptOnCancel=True)
        with self._lock:
            self._running_group = group
        try:
            yield
        finally:
            with self._lock:
                self._running_group = None
            for tag in tags:
                self.spark.removeTag(tag)

    def group_name(self, statement_id: str) -> str:
        """The Spark job group (classic) or operation tag (Connect) of a statement."""
        return f"dbt-{self.session_id[:8]}-{statement_id}"

    def spark_errors(self) -> AbstractContextManager[None]:
        return spark_errors(lambda: self.cancelled)

    def __str__(self) -> str:
        return f"SessionHandle(session-id={self.session_id})"


def open_handle(
    base: BaseSession,
    catalog: str | None,
    schema: str | None,
    session_properties: dict[str, Any],
    label: Callable[[], str],
    threads: int = 1,
) -> SessionHandle:
    """A new isolated session on `base`, set to the profile's catalog, schema and properties.

    No DDL runs here: a schema that does not exist yet is simply not made current.
    """
    handle = _new_handle(base, label, threads)
    with handle.spark_errors():
        for key, value in session_properties.items():
            handle.spark.conf.set(key, str(value))
        set_namespace(handle, catalog, schema, session_properties)
    return handle


def _new_handle(base: BaseSession, label: Callable[[], str], threads: int) -> SessionHandle:
    """Classic Spark and Connect clients from pyspark 4.1 make a session per connection. An older
    Connect client cannot: then every connection shares the base session, which is correct only
    when one thread runs at a time (each node still starts from the profile's catalog, schema
    and properties, set again when its connection opens)."""
    if not base.is_connect:
        return SessionHandle(base.spark.newSession(), base, label)
    with spark_errors():
        spark = connect.new_connection_session(base.spark)
    if spark is not None:
        return SessionHandle(spark, base, label)
    if threads > 1:
        raise DbtRuntimeError(
            f"This Spark Connect session ({base.origin}) cannot open a separate session per dbt "
            f"thread, so {threads} threads would change each other's schema, settings and "
            "temporary views. Run with `--threads 1` (or `threads: 1` in the profile), or use "
            "pyspark / databricks-connect 4.1 or newer, whose clients can."
        )
    return SessionHandle(base.spark, base, label, shared=True)


def _warn_if_state_changes(sql: str) -> None:
    match = _STATE_CHANGE.match(sql)
    if match is None or not sql[match.end() :].strip():  # a bare `SET` only lists settings
        return
    verb = match.group(1).upper()
    if verb in _warned_state_changes:
        return
    _warned_state_changes.add(verb)
    logger.warning(
        f"A `{verb}` statement ran on a shared Spark Connect session: its effect stays in the "
        "session for the models that run after this one (this session cannot give each dbt "
        "connection its own session)."
    )
