"""pyspark's session-less APIs, made to follow the session a Python model runs on.

`pyspark.sql.functions` decides per call whether to build classic or Spark Connect columns from
one process-wide environment variable, and pandas-on-Spark and `SparkSession.active()` look up
the thread's active session. A model's code must get its own session's kind and session from
both, whatever else the process runs.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dbt.adapters.databricks_session.spark.connect import is_connect

# Set by pyspark for its own remote sessions: `pyspark.sql.functions` then builds Connect columns.
CONNECT_MODE_ENV = "SPARK_CONNECT_MODE_ENABLED"


class _FunctionsApi:
    """While Python models run, CONNECT_MODE_ENV matches their session's kind (models running at
    the same time belong to one dbt run, so to one kind of session); outside them it is left as
    the process had it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved: str | None = None

    @contextmanager
    def matching(self, session: Any) -> Iterator[None]:
        with self._lock:
            if self._users == 0:
                self._saved = os.environ.get(CONNECT_MODE_ENV)
                _set_env(CONNECT_MODE_ENV, "1" if is_connect(session) else None)
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    _set_env(CONNECT_MODE_ENV, self._saved)


_functions_api = _FunctionsApi()


@contextmanager
def pyspark_api_for(session: Any) -> Iterator[None]:
    """Make pyspark's session-less APIs follow `session` in this thread while a Python model runs:
    `pyspark.sql.functions` builds columns of its kind, and on Connect `SparkSession.active()`
    and pandas-on-Spark find it as the thread's active session (they would otherwise start a
    remote session of their own and fail)."""
    with _functions_api.matching(session):
        if not is_connect(session):
            yield
            return
        holder = type(session)._active_session  # a threading.local
        before = getattr(holder, "session", None)
        holder.session = session
        try:
            yield
        finally:
            holder.session = before


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
