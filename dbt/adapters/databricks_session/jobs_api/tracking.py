"""Cancelling in-flight Jobs API runs and commands on Ctrl-C in session mode.

Upstream's PythonRunTracker records each run and command the submitters start; cancelling them
needs a client, which session mode only has once a model has built one.
"""

from __future__ import annotations

import threading

from dbt.adapters.databricks.api_client import DatabricksApiClient
from dbt.adapters.databricks.logging import logger
from dbt.adapters.databricks.python_models.run_tracking import PythonRunTracker

_lock = threading.Lock()
_client: DatabricksApiClient | None = None


def remember(client: DatabricksApiClient) -> None:
    global _client
    with _lock:
        _client = client


def cancel_runs() -> None:
    """Cancel every tracked run and command (a no-op before any Jobs API submission)."""
    with _lock:
        client = _client
    if client is None:
        return
    logger.info("Cancelling open Python model runs")
    PythonRunTracker.cancel_runs(client)
