"""Keep the local Spark JVM's own output (log4j warnings, `WARNING: Using incubator modules`,
`Setting default log level`, ...) off dbt's console: it goes to a log file beside the metastore.

The JVM that pyspark starts inherits this process's stdout and stderr file descriptors, and
writes to them for as long as it lives. While it starts, both descriptors point at the log file,
so the JVM keeps the file and this process gets its own console back right after. When the JVM
exits at start (a bad `spark_master`, a Java option it refuses, ...), the cause is in that file:
the error raised names it instead of pyspark's bare `[JAVA_GATEWAY_EXITED]`.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

JVM_LOG_NAME = "spark-jvm.log"
# Lines that say nothing about why a JVM could not start.
_NOISE = re.compile(
    r"^(WARNING: Using incubator modules|Using Spark's default log4j profile|"
    r"Setting (default|Spark) log level|To adjust logging level|"
    r"\d\d/\d\d/\d\d \d\d:\d\d:\d\d WARN |WARN |\s+at |\s*\.\.\. \d+ more|---- )"
)
_MAX_REASON_LINES = 4


class JvmStartError(RuntimeError):
    """The local Spark JVM did not start; the message carries the cause from its output."""


def jvm_log_path(local_dir: str) -> str:
    return os.path.join(os.path.abspath(local_dir), JVM_LOG_NAME)


@contextmanager
def output_to_log(path: str) -> Iterator[int]:
    """Point this process's stdout and stderr descriptors at `path` (appended) inside the block;
    yields the offset where the block's output starts."""
    _flush()
    with open(path, "ab") as log:
        log.write(f"---- local Spark starting, {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        log.flush()
        start = log.tell()
        try:
            saved = (os.dup(1), os.dup(2))
        except OSError:  # no console descriptors to keep quiet
            yield start
            return
        try:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            yield start
        finally:
            _flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass


def get_or_create_quietly(builder: Any, local_dir: str) -> Any:
    """`builder.getOrCreate()` with the JVM's output in `<local_dir>/spark-jvm.log`; a failed
    start raises `JvmStartError` naming the cause Java gave."""
    path = jvm_log_path(local_dir)
    with output_to_log(path) as start:
        try:
            return builder.getOrCreate()
        except Exception as exc:
            failure: Exception = exc
    raise JvmStartError(start_failure_message(failure, read_from(path, start), path)) from failure


def read_from(path: str, offset: int) -> str:
    try:
        with open(path, "rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def start_failure_message(exc: BaseException, output: str, path: str) -> str:
    reason = jvm_reason(output)
    if not reason:
        first_line = (str(exc) or type(exc).__name__).strip().splitlines()
        return f"{first_line[0] if first_line else type(exc).__name__} (Java's output: {path})"
    return (
        f"Java exited while starting: {reason} Check the profile's `spark_master` and "
        f"`spark_conf` values named there (Java's whole output: {path})."
    )


def jvm_reason(output: str) -> str:
    """The lines of the JVM's output that say why it stopped, joined into one."""
    lines: list[str] = []
    for raw in output.splitlines():
        line = raw.strip()
        if not line or _NOISE.match(raw) or line in lines:
            continue
        lines.append(line)
        if len(lines) == _MAX_REASON_LINES:
            break
    return " ".join(line.rstrip(".") + "." for line in lines)


def starting_line(master: str, local_dir: str) -> str:
    """The line logged before the wait: which Spark, where, and whether it is a first start."""
    try:
        from pyspark.version import __version__ as pyspark_version
    except ImportError:
        pyspark_version = ""
    root = os.path.abspath(local_dir)
    first = not os.path.isdir(os.path.join(root, "metastore_db"))
    return (
        f"Session mode: starting local Spark {pyspark_version} ({master}) in {root}"
        + (" (first start creates the metastore)" if first else "")
        + " ..."
    )
