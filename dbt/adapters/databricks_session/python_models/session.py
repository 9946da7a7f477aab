"""`submission_method: session`: run a Python model in its own dbt connection's Spark session.

The model's code runs in this process, in the isolated session that also ran the model's SQL, so
SQL and Python models share one cluster and one Jobs-UI run with no REST submission. The helper
is given that session by the adapter; it never looks one up (`getActiveSession()` is None in
dbt's worker threads).
"""

from __future__ import annotations

import ctypes
import linecache
import os
import re
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from dbt.adapters.base import PythonJobHelper
from dbt.adapters.databricks.logging import logger
from dbt.adapters.databricks.python_models.python_config import ParsedPythonModel
from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.databricks_session.python_models.pyspark_api import pyspark_api_for
from dbt.adapters.databricks_session.spark.errors import is_spark_error, spark_error_message
from dbt.adapters.databricks_session.spark.handle import SessionHandle
from dbt.adapters.databricks_session.spark.metrics import RunMetrics
from dbt.adapters.databricks_session.spark.source import on_databricks_runtime

# Configs of the Jobs/Command API paths that mean nothing inside a session.
CLUSTER_CONFIGS = (
    "job_cluster_config",
    "cluster_id",
    "http_path",
    "python_job_config",
    "access_control_list",
    "notebook_access_control_list",
    "additional_libs",
    "create_notebook",
    "environment_key",
    "environment_dependencies",
)
# The table dbt-databricks's Python materialization code writes the model's DataFrame to.
_MATERIALIZED_TO = re.compile(r'^writer\.saveAsTable\("(?P<table>[^"\n]+)"\)\s*$', re.MULTILINE)


class PythonModelTimeout(BaseException):
    """Raised inside the model's thread when its `timeout` passes (a BaseException, so the
    model's own `except Exception` cannot swallow it)."""


class PythonModelCancelled(BaseException):
    """Raised inside the model's thread when dbt cancels its connection (Ctrl-C)."""


class SessionPythonJobHelper(PythonJobHelper):
    def __init__(
        self,
        parsed_model: dict,
        credentials: Any,
        session: SessionHandle | None = None,
        project_root: str = "",
    ) -> None:
        if session is None:
            raise DbtRuntimeError(
                "submission_method 'session' runs Python models in the Spark session of a "
                "`method: session` profile; this profile uses `method: dbsql`."
            )
        self.session = session
        self.model = ParsedPythonModel(**parsed_model)
        self.unique_id: str = parsed_model.get("unique_id", self.model.identifier)
        self.filename: str = parsed_model.get("original_file_path") or f"<{self.unique_id}>"
        self.raw_code: str = parsed_model.get("raw_code") or ""
        self.leading_lines = _leading_blank_lines(os.path.join(project_root, self.filename))
        check_configs(self.unique_id, parsed_model.get("config", {}), self.model)
        self.run_id: str | None = None
        self.metrics: RunMetrics | None = None

    def submit(self, compiled_code: str) -> None:
        code = align_with_model_file(compiled_code, self.raw_code, self.leading_lines)
        model_lines = self.leading_lines + self.raw_code.count("\n") + 1
        self.run_id, self.metrics = run_in_session(
            self.session,
            ModelSource(self.unique_id, self.filename, code, model_lines),
            self.model.config.timeout,
        )


@dataclass(frozen=True)
class ModelSource:
    unique_id: str
    filename: str
    code: str
    model_lines: int  # lines 1..model_lines are the user's file; the rest is dbt's postfix


def align_with_model_file(compiled_code: str, raw_code: str, leading_lines: int) -> str:
    """Line the compiled code up with the model's .py file, so tracebacks show its line numbers.

    The materialization's template puts blank lines before the model's code, and dbt strips the
    blank lines the file itself starts with.
    """
    start = compiled_code.find(raw_code) if raw_code else -1
    if start < 0 or compiled_code[:start].strip():
        return compiled_code
    return "\n" * leading_lines + compiled_code[start:]


def _leading_blank_lines(path: str) -> int:
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except OSError:
        return 0
    return text[: len(text) - len(text.lstrip())].count("\n")


def check_configs(unique_id: str, config: dict[str, Any], model: ParsedPythonModel) -> None:
    """Warn about job settings a session ignores; fail on packages it cannot provide."""
    ignored = [key for key in CLUSTER_CONFIGS if config.get(key)]
    if ignored:
        logger.warning(
            f"{unique_id}: {', '.join(ignored)} configure a Databricks job or cluster and do not "
            "apply with submission_method 'session' (the model runs in the current session)."
        )
    missing = [name for name in model.config.packages if not _installed(name)]
    if missing:
        raise DbtRuntimeError(
            f"{unique_id} needs the packages {', '.join(missing)}, which are not installed here. "
            "A session cannot install packages per model: install them on the cluster (or in "
            "this Python environment), or use a Jobs API submission_method."
        )


def _installed(requirement: str) -> bool:
    name = requirement.split(";")[0]
    for separator in ("[", "=", "<", ">", "!", "~", " "):
        name = name.split(separator)[0]
    try:
        metadata.distribution(name.strip())
    except metadata.PackageNotFoundError:
        return False
    return True


def run_in_session(
    session: SessionHandle, source: ModelSource, timeout: int
) -> tuple[str, RunMetrics]:
    """Execute the compiled model; any failure (even SystemExit) becomes one dbt error.

    Returns the id of the run (its Spark job group / Connect tag is named after it) and its
    metrics: time, Spark jobs, and what the materialization's write put into the table.
    """
    compiled = _compile(source)
    namespace = model_namespace(session.spark)
    # A connection's own session, and the temp views the model makes in it, end when the node's
    # connection closes: only a shared session needs them listed (a metastore call each time).
    views_before = temp_views(session) if session.shared else None
    watchdog = _Watchdog(session, timeout)
    run_id = uuid.uuid4().hex
    run = session.start_run()
    try:
        with session.job_group(run_id), pyspark_api_for(session.spark), watchdog:
            exec(compiled, namespace)
        metrics = run.finish(session.group_name(run_id))
    except PythonModelTimeout:
        raise DbtRuntimeError(
            f"Python model {source.unique_id} exceeded its timeout of {timeout} s; its Spark "
            "jobs were cancelled."
        ) from None
    except PythonModelCancelled:
        raise DbtRuntimeError(f"Python model {source.unique_id} was cancelled.") from None
    except BaseException as exc:  # noqa: BLE001 - SystemExit/KeyboardInterrupt are failures too
        raise DbtRuntimeError(failure_message(source, exc)) from None
    finally:
        if views_before is not None:
            drop_new_temp_views(session, views_before)
    written_to = _MATERIALIZED_TO.findall(source.code)
    # Only Delta records what a write put into a table (the probe would look for its classes).
    if run.probe is not None and written_to and session.has_delta:
        metrics.written = run.probe.table_written(written_to[-1], run.started_ms)
    return run_id, metrics


def _compile(source: ModelSource) -> Any:
    # Registering the source lets tracebacks print the model's own lines.
    lines = source.code.splitlines(True)
    linecache.cache[source.filename] = (len(source.code), None, lines, source.filename)
    try:
        return compile(source.code, source.filename, "exec")
    except SyntaxError as exc:
        raise DbtRuntimeError(failure_message(source, exc)) from None


def model_namespace(spark: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {"spark": spark, "__name__": "__dbt_python_model__"}
    if on_databricks_runtime():
        main = sys.modules.get("__main__")
        for name in ("dbutils", "display"):
            if hasattr(main, name):
                namespace[name] = getattr(main, name)
    return namespace


def failure_message(source: ModelSource, exc: BaseException) -> str:
    """The exception and the model's own traceback lines (dbt's and pyspark's frames left out)."""
    detail = spark_error_message(exc) if is_spark_error(exc) else str(exc)
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename == source.filename and (frame.lineno or 0) <= source.model_lines
    ]
    lines = "".join(traceback.format_list(frames))
    if isinstance(exc, SyntaxError) and exc.lineno:
        lines = f'  File "{source.filename}", line {exc.lineno}\n    {(exc.text or "").strip()}\n'
    kind = type(exc).__name__
    return f"Python model {source.unique_id} failed: {kind}: {detail}\n{lines}".rstrip()


def temp_views(session: SessionHandle) -> set[str]:
    with session.spark_errors():
        rows = session.spark.sql("SHOW VIEWS").collect()
    return {row["viewName"] for row in rows if row["isTemporary"]}


def drop_new_temp_views(session: SessionHandle, before: set[str]) -> None:
    """Drop only the temp views this model created; earlier ones stay."""
    try:
        for name in temp_views(session) - before:
            session.spark.catalog.dropTempView(name)
    except Exception as exc:  # cleanup must not hide the model's own outcome
        logger.warning(f"Could not drop temporary views after the Python model: {exc}")


class _Watchdog:
    """Stops the model when its `timeout` passes or its connection is cancelled (Ctrl-C).

    A watcher thread raises an exception in the model's thread (it takes effect as soon as that
    thread runs Python again) and cancels the model's Spark jobs until the model has stopped:
    a single cancel would miss a job the model submits a moment later.
    """

    POLL_SECONDS = 0.5

    def __init__(self, session: SessionHandle, timeout: int) -> None:
        self.session = session
        self.deadline = time.monotonic() + timeout
        self.thread_id = threading.get_ident()
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.watcher = threading.Thread(target=self._watch, name="dbt-python-watchdog", daemon=True)

    def __enter__(self) -> _Watchdog:
        self.watcher.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        with self.lock:
            self.done.set()
            # Had the watcher fired just as the model finished, its exception must not escape
            # into dbt's own code later: clear it (a NULL exception clears a pending one).
            self._raise_in_model_thread(None)
        self.watcher.join()

    def _watch(self) -> None:
        while not self.done.wait(self.POLL_SECONDS):
            stop = _stop_reason(self.session, self.deadline)
            if stop is not None:
                break
        else:
            return
        with self.lock:
            if self.done.is_set():
                return
            logger.debug("Stopping the Python model: timeout or cancel")
            self._raise_in_model_thread(stop)
        while not self.done.wait(self.POLL_SECONDS):
            self.session.interrupt()

    def _raise_in_model_thread(self, exc_type: type[BaseException] | None) -> None:
        exc = ctypes.py_object(exc_type) if exc_type is not None else None
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread_id), exc)


def _stop_reason(session: SessionHandle, deadline: float) -> type[BaseException] | None:
    if not session.open:
        return PythonModelCancelled
    if time.monotonic() >= deadline:
        return PythonModelTimeout
    return None
