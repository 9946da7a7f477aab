"""Upstream's DatabricksApiClient on our workspace client, with the run and workflow calls fixed.

- runs/submit and run-now carry an idempotency token, so a retried request (429, 503, a dropped
  connection) never starts the model twice; jobs/create has none, so it is sent without the
  SDK's retries and, after a failure, the job is looked up by name before it is created again;
- dict-valued job settings reach the SDK as its typed classes (upstream passes plain dicts,
  which crash in `as_dict`), and task-level keys go to the model's task;
- polling at a configurable interval, logging the run page URL when the run starts; a model
  `timeout` cancels the remote run; a failed run's error carries the notebook's traceback.
"""

from __future__ import annotations

import time
import typing
import uuid
from typing import Any

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.jobs import (
    JobAccessControlRequest,
    JobsAPI,
    JobSettings,
    QueueSettings,
    SubmitTask,
)
from dbt.adapters.databricks import utils
from dbt.adapters.databricks.api_client import (
    ClusterApi,
    CommandApi,
    CommandContextApi,
    CommandExecution,
    CurrUserApi,
    DatabricksApiClient,
    DltPipelineApi,
    FolderApi,
    JobPermissionsApi,
    JobRunsApi,
    LibraryApi,
    NotebookPermissionsApi,
    SharedFolderApi,
    UserFolderApi,
    WorkflowJobApi,
    WorkspaceApi,
)
from dbt.adapters.databricks.logging import logger
from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.databricks_session.jobs_api.validation import TASK_LEVEL_KEYS

TERMINAL = {"TERMINATED", "SKIPPED", "INTERNAL_ERROR"}
COMPUTE_KEYS = ("new_cluster", "existing_cluster_id", "job_cluster_key", "environment_key")
CREATE_ATTEMPTS = 5


class SessionApiClient(DatabricksApiClient):
    """The same sub-APIs as upstream's client, on a given WorkspaceClient."""

    def __init__(
        self,
        workspace_client: WorkspaceClient,
        timeout: int,
        use_user_folder: bool,
        polling_interval: float,
        model: str,
    ) -> None:
        self.workspace_client = workspace_client
        self.libraries = LibraryApi(workspace_client)
        self.clusters = ClusterApi(workspace_client, self.libraries)
        self.command_contexts = CommandContextApi(workspace_client, self.clusters, self.libraries)
        self.curr_user = CurrUserApi(workspace_client)
        folders: FolderApi = UserFolderApi(self.curr_user) if use_user_folder else SharedFolderApi()
        self.folders = folders
        self.workspace = WorkspaceApi(workspace_client, folders)
        self.commands = SessionCommandApi(workspace_client, polling_interval, timeout, model)
        self.job_runs = SessionJobRunsApi(workspace_client, polling_interval, timeout, model)
        self.workflows = SessionWorkflowJobApi(workspace_client)
        self.workflow_permissions = JobPermissionsApi(workspace_client)
        self.notebook_permissions = NotebookPermissionsApi(workspace_client, self.workspace)
        self.dlt_pipelines = DltPipelineApi(workspace_client, polling_interval)  # type: ignore[arg-type]


def typed(hint: Any, value: Any) -> Any:
    """A validated config value as the SDK class its parameter is annotated with."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union:
        return typed(next(a for a in args if a is not type(None)), value)
    if origin is list and isinstance(value, list):
        return [typed(args[0], item) for item in value]
    if hasattr(hint, "from_dict") and isinstance(value, dict):
        return hint.from_dict(value)
    return value


def with_compute(task: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`task` updated with `override`; a compute key in `override` replaces the task's own."""
    if any(key in override for key in COMPUTE_KEYS):
        task = {key: value for key, value in task.items() if key not in COMPUTE_KEYS}
    return {**task, **override}


class SessionCommandApi(CommandApi):
    """The 1.2 command API (`all_purpose_cluster`): a model `timeout` cancels the command."""

    def __init__(
        self, workspace_client: WorkspaceClient, polling_interval: float, timeout: int, model: str
    ) -> None:
        super().__init__(workspace_client, polling_interval, timeout)  # type: ignore[arg-type]
        self.model = model

    def poll_for_completion(self, command: CommandExecution) -> None:
        try:
            super().poll_for_completion(command)
        except DbtRuntimeError as exc:
            if "Command execution timed out" not in str(exc):
                raise
            try:
                self.cancel(command)
                outcome = "was cancelled"
            except DbtRuntimeError as cancel_error:
                outcome = f"could not be cancelled ({cancel_error})"
            raise DbtRuntimeError(
                f"Python model {self.model} exceeded its timeout of {self.timeout} s; its "
                f"command on cluster {command.cluster_id} {outcome}."
            ) from None


class SessionJobRunsApi(JobRunsApi):
    def __init__(
        self, workspace_client: WorkspaceClient, polling_interval: float, timeout: int, model: str
    ) -> None:
        super().__init__(workspace_client, polling_interval, timeout)  # type: ignore[arg-type]
        self.model = model

    def submit(self, run_name: str, job_spec: dict[str, Any], **settings: Any) -> str:
        task = {k: v for k, v in job_spec.items() if k not in ("access_control_list", "queue")}
        task = with_compute(task, {k: settings[k] for k in TASK_LEVEL_KEYS if k in settings})
        hints = typing.get_type_hints(JobsAPI.submit)
        kwargs: dict[str, Any] = {}
        ignored = []
        for key, value in settings.items():
            if key in TASK_LEVEL_KEYS:
                continue
            if key in hints and key not in ("run_name", "tasks", "idempotency_token"):
                kwargs[key] = typed(hints[key], value)
            elif key != "name" or value:
                ignored.append(key)
        if ignored:
            logger.warning(
                f"{self.model}: python_job_config {', '.join(sorted(ignored))} apply to "
                "submission_method 'workflow_job' only; this one-time run ignores them."
            )
        if "access_control_list" in job_spec:
            kwargs["access_control_list"] = [
                JobAccessControlRequest.from_dict(acl) for acl in job_spec["access_control_list"]
            ]
        if "queue" in job_spec:
            kwargs["queue"] = QueueSettings.from_dict(job_spec["queue"])
        try:
            waiter = self.workspace_client.jobs.submit(
                run_name=run_name,
                tasks=[SubmitTask.from_dict(task)],
                idempotency_token=uuid.uuid4().hex,
                **kwargs,
            )
        except Exception as exc:
            raise DbtRuntimeError(f"Error creating python run.\n {exc}") from exc
        return self._extract_run_id(waiter)

    def poll_for_completion(self, run_id: str) -> None:
        deadline = time.monotonic() + self.timeout
        announced = False
        while True:
            try:
                run = self.workspace_client.jobs.get_run(run_id=int(run_id))
            except Exception as exc:
                raise DbtRuntimeError(f"Error polling for completion.\n {exc}") from exc
            if not announced and run.run_page_url:
                logger.info(f"{self.model}: Databricks run {run_id} started: {run.run_page_url}")
                announced = True
            life = _life(run)
            if life in TERMINAL:
                self._check_outcome(run)
                return
            if time.monotonic() >= deadline:
                try:
                    self.cancel(run_id)
                    outcome = "was cancelled"
                except DbtRuntimeError as exc:
                    outcome = f"could not be cancelled ({exc})"
                raise DbtRuntimeError(
                    f"Python model {self.model} exceeded its timeout of {self.timeout} s; "
                    f"Databricks run {run_id} {outcome}."
                )
            time.sleep(max(0.0, min(self.polling_interval, deadline - time.monotonic())))

    def _check_outcome(self, run: Any) -> None:
        state = run.state
        result = state.result_state.value if state.result_state else None
        life = state.life_cycle_state.value if state.life_cycle_state else ""
        if life == "TERMINATED" and result in (None, "SUCCESS", "SUCCESS_WITH_FAILURES"):
            return
        if result == "CANCELED":
            raise DbtRuntimeError(
                f"Python model {self.model}: Databricks run {run.run_id} was cancelled."
            )
        details = [self._task_failure(task) for task in run.tasks or []]
        found = "\n".join(detail for detail in details if detail)
        raise DbtRuntimeError(
            f"Python model {self.model} failed: Databricks run {run.run_id} ended "
            f"{life}/{result}: {state.state_message or ''}\n{found}".rstrip()
        )

    def _task_failure(self, task: Any) -> str:
        result = task.state.result_state.value if task.state and task.state.result_state else ""
        if result in ("", "SUCCESS") or not task.run_id:
            return ""
        try:
            output = self.workspace_client.jobs.get_run_output(run_id=task.run_id)
        except Exception as exc:
            return f"Task {task.task_key} {result} (its output could not be read: {exc})"
        trace = utils.remove_ansi(output.error_trace or "")
        return f"Task {task.task_key} {result}: {output.error or ''}\n{trace}".rstrip()


class SessionWorkflowJobApi(WorkflowJobApi):
    def create(self, job_spec: dict[str, Any]) -> str:
        """Create the job once: no SDK retries for this call (jobs/create has no idempotency
        token); after a failure, a job the request made anyway is found by name and used."""
        from databricks.sdk.core import ApiClient

        settings = JobSettings.from_dict(self._convert_job_spec_for_create(job_spec))
        one_shot = ApiClient(self.workspace_client.config)
        one_shot._api_client._is_retryable = lambda err: None  # type: ignore[method-assign]
        name = job_spec["name"]
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                job_id = str(JobsAPI(one_shot).create(**settings.as_shallow_dict()).job_id)
                logger.info(f"New workflow created with job id {job_id}")
                return job_id
            except Exception as exc:
                if not _transient(exc) or attempt == CREATE_ATTEMPTS:
                    raise DbtRuntimeError(f"Error creating Workflow.\n {exc}") from exc
                logger.debug(f"jobs/create failed ({exc}); looking the job up before retrying")
                time.sleep(min(attempt, 5))
                found = self.search_by_name(name)
                if len(found) == 1:
                    return str(found[0]["job_id"])
        raise AssertionError("unreachable")

    def run(self, job_id: str, enable_queueing: bool = True) -> str:
        try:
            waiter = self.workspace_client.jobs.run_now(
                job_id=int(job_id),
                queue=QueueSettings(enabled=enable_queueing),
                idempotency_token=uuid.uuid4().hex,
            )
        except Exception as exc:
            raise DbtRuntimeError(f"Error triggering run for workflow.\n {exc}") from exc
        logger.info(f"Workflow triggered with run_id={waiter.run_id}")
        return str(waiter.run_id)


def _transient(exc: Exception) -> bool:
    import requests
    from databricks.sdk.errors import platform

    transient = (
        requests.ConnectionError,
        requests.Timeout,
        platform.TooManyRequests,
        platform.TemporarilyUnavailable,
        platform.InternalError,
    )
    return isinstance(exc, transient)


def _life(run: Any) -> str:
    state = run.state
    return state.life_cycle_state.value if state and state.life_cycle_state else ""
