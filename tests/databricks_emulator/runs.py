"""The run engine: task graphs with `depends_on`, `run_if`, retries, timeouts and cancel.

Each run gets a thread. After the start-up delay (a cluster starting) its tasks run in
dependency order; notebook tasks execute for real (see executor.py); any other task type fails
with EMULATOR_UNSUPPORTED and never reports success.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.databricks_emulator.executor import NotebookRun

TICK = 0.02
SUCCESS, FAILED, TIMEDOUT, CANCELED, UPSTREAM_FAILED = (
    "SUCCESS",
    "FAILED",
    "TIMEDOUT",
    "CANCELED",
    "UPSTREAM_FAILED",
)


@dataclass
class TaskRun:
    run_id: int
    spec: dict[str, Any]
    life: str = "PENDING"
    result: str | None = None
    message: str = ""
    error: str | None = None
    error_trace: str | None = None
    notebook_result: str | None = None
    attempt: int = 0

    @property
    def key(self) -> str:
        return str(self.spec["task_key"])

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = {"life_cycle_state": self.life, "state_message": self.message}
        if self.result:
            state["result_state"] = self.result
        return state

    def as_dict(self, run: Run) -> dict[str, Any]:
        task = {key: value for key, value in self.spec.items() if key != "libraries"}
        return {
            **task,
            "run_id": self.run_id,
            "state": self.state(),
            "attempt_number": self.attempt,
            "run_page_url": run.page_url,
        }


@dataclass
class Run:
    run_id: int
    job_id: int
    run_name: str
    tasks: list[TaskRun]
    page_url: str
    run_type: str = "JOB_RUN"
    timeout_seconds: int = 0
    idempotency_token: str | None = None
    life: str = "PENDING"
    result: str | None = None
    message: str = ""
    start_time: int = field(default_factory=lambda: int(time.time() * 1000))
    executed: list[str] = field(default_factory=list)  # task keys, in the order they started
    cancel: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = {"life_cycle_state": self.life, "state_message": self.message}
        if self.result:
            state["result_state"] = self.result
        return state

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "job_id": self.job_id,
            "run_name": self.run_name,
            "run_type": self.run_type,
            "state": self.state(),
            "tasks": [task.as_dict(self) for task in self.tasks],
            "run_page_url": self.page_url,
            "start_time": self.start_time,
        }


@dataclass
class EngineSettings:
    startup_seconds: float = 0.0  # how long a run stays PENDING (a job cluster starting)
    failure_life_cycle: str = "TERMINATED"  # or "INTERNAL_ERROR": the two dbt branches


class Engine:
    def __init__(
        self,
        settings: EngineSettings,
        notebook_source: Callable[[str], str | None],
        spark: Callable[[], Any],
    ) -> None:
        self.settings = settings
        self.notebook_source = notebook_source
        self.spark = spark

    def start(self, run: Run) -> None:
        threading.Thread(target=self._drive, args=(run,), name="emulator-run", daemon=True).start()

    def _drive(self, run: Run) -> None:
        try:
            deadline = time.monotonic() + run.timeout_seconds if run.timeout_seconds else None
            if run.cancel.wait(self.settings.startup_seconds):
                self._finish_cancelled(run)
                return
            run.life = "RUNNING"
            self._run_tasks(run, deadline)
            self._finish(run)
        except BaseException as exc:  # noqa: BLE001 - an engine bug must not look like success
            run.life, run.result, run.message = "INTERNAL_ERROR", FAILED, f"emulator error: {exc}"
        finally:
            run.done.set()

    def _run_tasks(self, run: Run, deadline: float | None) -> None:
        pending = list(run.tasks)
        by_key = {task.key: task for task in run.tasks}
        while pending:
            ready = [t for t in pending if all(by_key[d].result for d in _deps(t))]
            for task in ready:
                pending.remove(task)
                upstream = [by_key[d].result for d in _deps(task)]
                if run.cancel.is_set():
                    task.life, task.result = "TERMINATED", CANCELED
                elif not _should_run(task.spec.get("run_if") or "ALL_SUCCESS", upstream):
                    task.life, task.result = "SKIPPED", UPSTREAM_FAILED
                    task.message = "Upstream task(s) failed."
                else:
                    self._run_with_retries(run, task, deadline)

    def _run_with_retries(self, run: Run, task: TaskRun, deadline: float | None) -> None:
        retries = int(task.spec.get("max_retries") or 0)
        while True:
            self._execute(run, task, deadline)
            if task.result != FAILED or task.attempt >= retries or retries < 0:
                return
            task.attempt += 1

    def _execute(self, run: Run, task: TaskRun, run_deadline: float | None) -> None:
        task.life, task.result, task.message = "RUNNING", None, ""
        run.executed.append(task.key)
        task.error = task.error_trace = None
        spec = task.spec
        if "notebook_task" not in spec:
            kind = next((key for key in spec if key.endswith("_task")), "unknown")
            self._fail(task, f"EMULATOR_UNSUPPORTED: the emulator cannot run a {kind}")
            return
        path = spec["notebook_task"]["notebook_path"]
        source = self.notebook_source(path)
        if source is None:
            self._fail(task, f"Unable to access the notebook {path!r}: it does not exist")
            return
        base = spec["notebook_task"].get("base_parameters") or {}
        parameters = {key: str(value) for key, value in base.items()}
        notebook = NotebookRun(source, parameters, self.spark()).start()
        timeout = int(spec.get("timeout_seconds") or 0)
        task_deadline = time.monotonic() + timeout if timeout else None
        limits = [d for d in (run_deadline, task_deadline) if d is not None]
        while not notebook.wait(TICK):
            if run.cancel.is_set():
                notebook.stop()
                notebook.wait(30)
                task.life, task.result, task.message = "TERMINATED", CANCELED, "Run cancelled."
                return
            if limits and time.monotonic() > min(limits):
                notebook.stop()
                notebook.wait(30)
                task.life, task.result = "TERMINATED", TIMEDOUT
                task.message = "Task timed out."
                return
        outcome = notebook.outcome
        assert outcome is not None
        if outcome.ok:
            task.life, task.result, task.notebook_result = "TERMINATED", SUCCESS, outcome.result
        else:
            self._fail(task, outcome.error or "failed", outcome.error_trace)

    def _fail(self, task: TaskRun, error: str, trace: str | None = None) -> None:
        task.life, task.result, task.error, task.error_trace = "TERMINATED", FAILED, error, trace
        task.message = error.splitlines()[0] if error else ""

    def _finish_cancelled(self, run: Run) -> None:
        for task in run.tasks:
            task.life, task.result = "TERMINATED", CANCELED
        run.life, run.result, run.message = "TERMINATED", CANCELED, "Run cancelled."

    def _finish(self, run: Run) -> None:
        results = [task.result for task in run.tasks]
        if run.cancel.is_set() or CANCELED in results:
            run.life, run.result, run.message = "TERMINATED", CANCELED, "Run cancelled."
            return
        if TIMEDOUT in results:
            run.life, run.result, run.message = "TERMINATED", TIMEDOUT, "Run timed out."
            return
        failed = [task for task in run.tasks if task.result in (FAILED, UPSTREAM_FAILED)]
        if not failed:
            run.life, run.result = "TERMINATED", SUCCESS
            return
        first = failed[0]
        run.life, run.result = self.settings.failure_life_cycle, FAILED
        run.message = f"Task {first.key} failed with message: {first.message}"


def _deps(task: TaskRun) -> list[str]:
    return [d["task_key"] for d in task.spec.get("depends_on") or []]


def _should_run(run_if: str, upstream: list[str | None]) -> bool:
    ok = [result == SUCCESS for result in upstream]
    if not upstream:
        return True
    rules = {
        "ALL_SUCCESS": all(ok),
        "ALL_DONE": True,
        "NONE_FAILED": all(r in (SUCCESS, "EXCLUDED") for r in upstream),
        "AT_LEAST_ONE_SUCCESS": any(ok),
        "ALL_FAILED": not any(ok),
        "AT_LEAST_ONE_FAILED": not all(ok),
    }
    return rules.get(run_if, False)
