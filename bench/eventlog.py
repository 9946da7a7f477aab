"""Spark's own account of when it was busy, read from its event log.

Two kinds of intervals are read: SQL executions (`SparkListenerSQLExecutionStart/End`: one per
statement Spark runs, covering the whole statement, metastore work of DDL included) and jobs
(`SparkListenerJobStart/End`: the distributed work inside them). Busy time is the length of the
union of intervals inside a window, so concurrent work (dbt threads) is not counted twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SQL_START = "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart"
SQL_END = "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd"
JOB_START = "SparkListenerJobStart"
JOB_END = "SparkListenerJobEnd"

Interval = tuple[float, float]


@dataclass
class SparkActivity:
    sql: list[Interval] = field(default_factory=list)
    jobs: list[Interval] = field(default_factory=list)


def read_event_log(paths: Iterable[Path]) -> SparkActivity:
    """SQL-execution and job intervals (epoch seconds) from an uncompressed event log."""
    sql_open: dict[int, float] = {}
    job_open: dict[int, float] = {}
    activity = SparkActivity()
    for line in _lines(paths):
        if not _may_matter(line):
            continue
        event = json.loads(line)
        kind = event.get("Event")
        if kind == SQL_START:
            sql_open[event["executionId"]] = event["time"] / 1000
        elif kind == SQL_END and event["executionId"] in sql_open:
            activity.sql.append((sql_open.pop(event["executionId"]), event["time"] / 1000))
        elif kind == JOB_START:
            job_open[event["Job ID"]] = event["Submission Time"] / 1000
        elif kind == JOB_END and event["Job ID"] in job_open:
            activity.jobs.append((job_open.pop(event["Job ID"]), event["Completion Time"] / 1000))
    return activity


def _lines(paths: Iterable[Path]) -> Iterable[str]:
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            yield from handle


def _may_matter(line: str) -> bool:
    # Cheap prefilter: plan descriptions make many lines large, and only four kinds matter.
    head = line[:150]
    return any(kind in head for kind in (SQL_START, SQL_END, JOB_START, JOB_END))


def busy_seconds(intervals: Iterable[Interval], window: Interval) -> float:
    """Length of the union of `intervals`, clipped to `window`."""
    low, high = window
    clipped = sorted((max(a, low), min(b, high)) for a, b in intervals if b > low and a < high)
    total = 0.0
    current: Interval | None = None
    for start, end in clipped:
        if current is None or start > current[1]:
            if current is not None:
                total += current[1] - current[0]
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += current[1] - current[0]
    return total


def find_event_log(directory: Path, app_id: str) -> list[Path]:
    """The event log files of one application: a single file, or (Spark 4's default rolling
    logs) the `events_<n>_<app>` files of its `eventlog_v2_<app>` directory, in order."""
    for candidate in sorted(directory.iterdir()):
        if app_id not in candidate.name:
            continue
        if candidate.is_dir():
            parts = [p for p in candidate.iterdir() if p.name.startswith("events_")]
            return sorted(parts, key=lambda p: int(p.name.split("_")[1]))
        return [candidate]
    return []
