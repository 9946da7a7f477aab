"""`method: dbsql`: a connection that cannot open within the profile's own limits fails.

Upstream's open() honours `connect_retries` and `connect_timeout` (the wait between dbt's
attempts) only around the SQL connector, which itself retries up to 30 times with a 600 s
socket timeout: a host that accepts connections but never answers held `dbt run` for more than
15 minutes with `connect_retries: 0` and `connect_timeout: 5`. When the profile sets
`connect_timeout`, opening a connection here gives up after

    SPOG probe allowance + (connect_retries + 1) attempts x connect_timeout
                         + connect_retries waits x connect_timeout

with one clear error. Without `connect_timeout` nothing changes (a stopped SQL warehouse can take
minutes to start, and upstream's connector waits for it).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from dbt.adapters.contracts.connection import Connection, ConnectionState
from dbt.adapters.exceptions import FailedToConnectError

# Upstream's SPOG discovery probe: 3 requests with a 5 s timeout and ~2 s of backoff.
PROBE_ALLOWANCE_S = 20.0


def open_deadline(credentials: Any) -> float | None:
    """Seconds an open may take under the profile's limits; None when the profile sets none."""
    timeout = credentials.connect_timeout
    if timeout is None:
        return None
    retries = max(int(credentials.connect_retries or 0), 0)
    return PROBE_ALLOWANCE_S + (2 * retries + 1) * max(float(timeout), 1.0)


def open_bounded(
    open_connection: Callable[[Connection], Connection], connection: Connection
) -> Connection:
    """`open_connection(connection)`, abandoned with FailedToConnectError past the deadline.

    The attempt runs on a copy of the connection in a daemon thread, so an attempt that answers
    after the deadline cannot mark the abandoned connection open."""
    deadline = open_deadline(connection.credentials)
    if deadline is None or connection.state == ConnectionState.OPEN:
        return open_connection(connection)
    attempt = copy.copy(connection)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["connection"] = open_connection(attempt)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=f"dbsql-open-{connection.name}", daemon=True)
    worker.start()
    worker.join(deadline)
    if worker.is_alive():
        connection.handle = None
        connection.state = ConnectionState.FAIL
        raise FailedToConnectError(unanswered_message(connection.credentials, deadline))
    if "error" in outcome:
        connection.handle, connection.state = attempt.handle, attempt.state
        raise outcome["error"]
    connection.__dict__.update(attempt.__dict__)
    return connection


def unanswered_message(credentials: Any, deadline: float) -> str:
    return (
        f"Could not open a connection to {credentials.host} within {deadline:.0f} s: no answer "
        f"(the profile's connect_timeout: {credentials.connect_timeout}, connect_retries: "
        f"{credentials.connect_retries}). Check `host` and `http_path`, that the SQL warehouse "
        "or cluster is running, and that this machine can reach the workspace; raise "
        "`connect_timeout` if it needs longer to start."
    )
