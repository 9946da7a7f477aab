"""Helpers shared by test modules (importable as `tests.support`: pytest's `pythonpath` is the
repository root)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

# One Spark job of one task (one of local[2]'s two cores) that runs far longer than any test.
ENDLESS = "SELECT sum(id % 7) FROM range(0, 10000000000000, 1, 1)"


def wait_for(condition: Callable[[], bool], what: str, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def run_in_thread(
    name: str, action: Callable[[], Any], outcome: dict[str, Any]
) -> threading.Thread:
    """Start `action` in a daemon thread; its result or exception lands in `outcome[name]`."""

    def target() -> None:
        try:
            outcome[name] = action()
        except BaseException as exc:
            outcome[name] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def sql_executions_since(spark: Any, after_id: int) -> list[tuple[int, str]]:
    """(id, physical plan text) of every SQL execution Spark's own status store recorded after
    `after_id`, on classic and Connect sessions of this JVM alike (what the Spark UI lists)."""
    spark.sparkContext._jsc.sc().listenerBus().waitUntilEmpty()
    executions = spark._jsparkSession.sharedState().statusStore().executionsList()
    found = []
    for i in range(executions.size()):
        execution = executions.apply(i)
        if int(execution.executionId()) > after_id:
            found.append((int(execution.executionId()), str(execution.physicalPlanDescription())))
    return found


def last_sql_execution_id(spark: Any) -> int:
    return max((i for i, _ in sql_executions_since(spark, -1)), default=-1)


class Py4jCommands:
    """The Py4J commands this process sends to the JVM while active: every call a Python object
    makes on a JVM object is one round trip (py4j's own connection, observed, not replaced)."""

    def __init__(self) -> None:
        self.methods: list[str] = []

    def __enter__(self) -> Py4jCommands:
        import py4j.clientserver

        connection = py4j.clientserver.ClientServerConnection
        self._original = connection.send_command
        original, methods = self._original, self.methods

        def send_command(this: Any, command: str) -> Any:
            parts = command.split("\n")
            if parts[0] == "c" and len(parts) > 2:  # a method call: c, target, method, ...
                methods.append(parts[2])
            return original(this, command)

        connection.send_command = send_command  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: Any) -> None:
        import py4j.clientserver

        py4j.clientserver.ClientServerConnection.send_command = (  # type: ignore[method-assign]
            self._original
        )
