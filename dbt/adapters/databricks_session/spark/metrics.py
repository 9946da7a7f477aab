"""What Spark knows about a statement or a Python model: time, Spark jobs, and what it wrote.

Only numbers Spark itself computed are reported, and a number this module cannot be sure of is
left out, never estimated:

- Spark job ids (classic Spark): the jobs Spark's status store records under the statement's own
  job group. The store is filled from Spark's listener bus, asynchronously, so the ids are read
  once it knows every job submitted while the statement ran (a bounded wait, usually none; left
  out on a timeout). A statement during which no Spark job started is known at once.
- Rows, bytes and files written (classic Spark): for a Delta table, the metrics Delta recorded
  in the commit the statement made (what `DESCRIBE HISTORY` shows); for a file-source (parquet)
  insert, the write command's own SQL metrics.
- Spark Connect returns no write metrics for commands and no job ids: there, only the time.

Nothing here runs a Spark job; the classic path makes a few py4j calls per statement, and the
write path reads one Delta commit file.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from dbt.adapters.databricks.logging import logger

from dbt.adapters.databricks_session.spark.statements import LEADING_COMMENTS

LISTENER_WAIT_S = 2.0
LISTENER_POLL_S = 0.002
SEPARATOR = "\u0001"
# Statements that may write table data, found behind dbt's query comment.
_MAY_WRITE = re.compile(
    LEADING_COMMENTS + r"(CREATE|REPLACE|INSERT|MERGE|UPDATE|DELETE)\b",
    re.IGNORECASE | re.DOTALL,
)
# File-source inserts (DataWritingCommandExec) and their SQL metrics.
_FILE_WRITES = {"InsertIntoHadoopFsRelationCommand", "InsertIntoHiveTable"}
_FILE_WRITE_METRICS = {"numOutputRows": "rows", "numOutputBytes": "bytes", "numFiles": "files"}
_SQL_METRIC = re.compile(r"^(\w+) -> SQLMetric\(.*value: (-?\d+)\)$", re.DOTALL)
# Delta commit metrics that say what an operation wrote (writes and table creation; MERGE;
# UPDATE, DELETE and the other rewrites).
_DELTA_ROWS = ("numOutputRows",)
_DELTA_BYTES = ("numOutputBytes", "numTargetBytesAdded", "numAddedBytes")
_DELTA_FILES = ("numFiles", "numTargetFilesAdded", "numAddedFiles")
# Physical write nodes whose target is a table object (Delta's is a DeltaTableV2) ...
_TABLE_WRITES = {
    "AppendDataExecV1",
    "OverwriteByExpressionExecV1",
    "OverwritePartitionsDynamicExecV1",
}
# ... or a catalog identifier (CREATE [OR REPLACE] TABLE ... AS SELECT on a v2 catalog) ...
_CATALOG_WRITES = {
    "AtomicCreateTableAsSelect",
    "AtomicReplaceTableAsSelect",
    "CreateTableAsSelect",
    "ReplaceTableAsSelect",
}
# ... or a Delta command run as ExecutedCommandExec: the method path to its DeltaLog.
_DELTA_COMMANDS: dict[str, tuple[str, ...]] = {
    "MergeIntoCommand": ("targetDeltaLog",),
    "DeleteCommand": ("deltaLog",),
    "UpdateCommand": ("tahoeFileIndex", "deltaLog"),
    "WriteIntoDelta": ("deltaLog",),
}


@dataclass
class Written:
    """What one write put into a table, as Spark or Delta counted it."""

    rows: int | None = None
    bytes: int | None = None
    files: int | None = None
    delta_version: int | None = None
    delta_operation: str | None = None
    delta_operation_metrics: dict[str, int] | None = None


@dataclass
class RunMetrics:
    """One statement's or one Python model's metrics; None means "not known exactly"."""

    execution_time_ms: int
    spark_job_ids: list[int] | None = None
    written: Written | None = None


def may_write(sql: str) -> bool:
    return _MAY_WRITE.match(sql) is not None


class ClassicProbe:
    """Reads metrics through py4j from one classic SparkContext (JVM handles looked up once)."""

    def __init__(self, spark: Any) -> None:
        context = spark.sparkContext
        core = context._jsc.sc()
        self._jvm = context._jvm
        self._jspark = spark._jsparkSession
        self._dag = core.dagScheduler()
        self._tracker = context._jsc.statusTracker()
        self._delta_classes: dict[str, tuple[Any, Any]] = {}

    def job_count(self) -> int | None:
        """How many Spark jobs this application has submitted so far."""
        return _quietly(self._dag.numTotalJobs)

    def job_ids(self, group: str, count_before: int | None) -> list[int] | None:
        """The ids of the jobs that ran under `group`, ascending, or None if not known exactly."""
        return _quietly(lambda: self._job_ids(group, count_before))

    def _job_ids(self, group: str, count_before: int | None) -> list[int] | None:
        if count_before is None:
            return None
        count_after = int(self._dag.numTotalJobs())
        if count_after == count_before:
            return []  # no job started anywhere meanwhile
        # The statement's jobs are among those submitted meanwhile (other threads' too). Spark's
        # status store learns of a job from the listener bus, asynchronously: once it knows every
        # one of them, it knows all of the statement's.
        pending = list(range(count_before, count_after))
        deadline = time.monotonic() + LISTENER_WAIT_S
        while pending := [job for job in pending if self._tracker.getJobInfo(job) is None]:
            if time.monotonic() > deadline:
                return None
            time.sleep(LISTENER_POLL_S)
        text = self._jvm.java.util.Arrays.toString(self._tracker.getJobIdsForGroup(group))
        return sorted(int(part) for part in str(text).strip("[]").split(",") if part.strip())

    def statement_written(self, frame: Any, sql: str, started_ms: int) -> Written | None:
        """What a statement that `spark.sql` already ran wrote, or None."""
        if not may_write(sql):
            return None
        return _quietly(lambda: self._statement_written(frame, started_ms))

    def _statement_written(self, frame: Any, started_ms: int) -> Written | None:
        plan = frame._jdf.queryExecution().executedPlan()
        if plan.nodeName() != "CommandResult":
            return None
        command = plan.commandPhysicalPlan()
        kind = str(command.nodeName()).removeprefix("Execute ")
        if kind in _FILE_WRITES:
            return _file_write(str(command.metrics().mkString(SEPARATOR)))
        log = self._delta_log(command, kind)
        return self._delta_commit(log, started_ms) if log is not None else None

    def _delta_log(self, command: Any, kind: str) -> Any:
        if kind in _TABLE_WRITES:
            table = command.table()
        elif kind in _CATALOG_WRITES:
            table = command.catalog().loadTable(command.ident())
        elif kind in _DELTA_COMMANDS:
            target = command.cmd()
            for method in _DELTA_COMMANDS[kind]:
                target = getattr(target, method)()
            return target
        else:
            return None
        if "DeltaTableV2" not in str(table.getClass().getSimpleName()):
            return None
        return table.deltaLog()

    def table_written(self, name: str, started_ms: int) -> Written | None:
        """What the last commit to the Delta table `name` wrote, if it was made since
        `started_ms` (a Python model's own write); None for other tables."""

        def read() -> Written | None:
            table = self._jvm.io.delta.tables.DeltaTable.forName(self._jspark, name)
            return self._delta_commit(table.deltaLog(), started_ms)

        return _quietly(read)

    def _delta_commit(self, log: Any, started_ms: int) -> Written | None:
        """The metrics of the table's latest commit, read from its commit file, provided this
        process made it after `started_ms` (a statement that committed nothing gets None)."""
        version = int(log.unsafeVolatileSnapshot().version())
        if version < 0:
            return None
        file_names, history = self._delta_helpers(log)
        path = file_names.unsafeDeltaFile(log.logPath(), version)
        found = history.getCommitInfoOpt(log.store(), path, log.newDeltaHadoopConf())
        if not found.isDefined():
            return None
        info = found.get()
        if int(info.timestamp().getTime()) < started_ms:
            return None
        metrics_opt = info.operationMetrics()
        text = str(metrics_opt.get().mkString(SEPARATOR)) if metrics_opt.isDefined() else ""
        metrics = _delta_metrics(text)
        return Written(
            rows=_first(metrics, _DELTA_ROWS),
            bytes=_first(metrics, _DELTA_BYTES),
            files=_first(metrics, _DELTA_FILES),
            delta_version=version,
            delta_operation=str(info.operation()),
            delta_operation_metrics=metrics,
        )

    def _delta_helpers(self, log: Any) -> tuple[Any, Any]:
        """Delta's FileNames and DeltaHistoryManager, from the package of the DeltaLog's class
        (open-source Delta and a Databricks runtime name it differently)."""
        package = str(log.getClass().getPackage().getName())
        if package not in self._delta_classes:
            view: Any = self._jvm
            for part in package.split("."):
                view = getattr(view, part)
            self._delta_classes[package] = (view.util.FileNames, view.DeltaHistoryManager)
        return self._delta_classes[package]


def classic_probe(spark: Any) -> ClassicProbe | None:
    """A probe, or None where the JVM's scheduler is out of Python's reach (py4j allowlists on
    some Databricks access modes): there statements run as before, without job or write keys."""
    probe: ClassicProbe | None = _quietly(lambda: ClassicProbe(spark))
    return probe


class RunTimer:
    """A statement's or Python model's wall time in this process, and its Spark jobs."""

    def __init__(self, probe: ClassicProbe | None) -> None:
        self.probe = probe
        self.started_ms = int(time.time() * 1000)  # comparable with Delta commit timestamps
        self._jobs_before = probe.job_count() if probe is not None else None
        self._start = time.perf_counter()

    def finish(self, group: str) -> RunMetrics:
        elapsed_ms = int((time.perf_counter() - self._start) * 1000)
        jobs = self.probe.job_ids(group, self._jobs_before) if self.probe is not None else None
        return RunMetrics(execution_time_ms=elapsed_ms, spark_job_ids=jobs)


def _file_write(text: str) -> Written | None:
    values: dict[str, int] = {}
    for entry in text.split(SEPARATOR):
        match = _SQL_METRIC.match(entry.strip())
        if match and match.group(1) in _FILE_WRITE_METRICS:
            values[_FILE_WRITE_METRICS[match.group(1)]] = int(match.group(2))
    if not values:
        return None
    return Written(rows=values.get("rows"), bytes=values.get("bytes"), files=values.get("files"))


def _delta_metrics(text: str) -> dict[str, int]:
    metrics: dict[str, int] = {}
    for entry in text.split(SEPARATOR):
        key, _, value = entry.partition(" -> ")
        if key and value.strip().lstrip("-").isdigit():
            metrics[key.strip()] = int(value)
    return metrics


def _first(metrics: dict[str, int], names: tuple[str, ...]) -> int | None:
    return next((metrics[name] for name in names if name in metrics), None)


def _quietly(read: Any) -> Any:
    """Metrics never fail a statement: anything unexpected means "not known"."""
    try:
        return read()
    except Exception as exc:  # noqa: BLE001 - py4j, Spark or Delta internals that differ
        logger.debug(f"Spark metrics unavailable: {type(exc).__name__}: {exc}".splitlines()[0])
        return None
