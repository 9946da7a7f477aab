"""The Jobs API submission methods (`job_cluster`, `serverless_cluster`, `all_purpose_cluster`,
`workflow_job`) from a `method: session` profile: upstream's helpers and submitters, on our
validated configs, workspace credentials and API client (client.py)."""

from __future__ import annotations

from typing import Any

import pydantic
from dbt.adapters.databricks.api_client import DatabricksApiClient
from dbt.adapters.databricks.python_models.python_config import ParsedPythonModel
from dbt.adapters.databricks.python_models.python_submissions import (
    AllPurposeClusterPythonJobHelper,
    BaseDatabricksHelper,
    JobClusterPythonJobHelper,
    PythonNotebookUploader,
    PythonNotebookWorkflowSubmitter,
    PythonPermissionBuilder,
    PythonSubmitter,
    PythonWorkflowConfigCompiler,
    PythonWorkflowCreator,
    ServerlessClusterPythonJobHelper,
    WorkflowPythonJobHelper,
)
from dbt_common.exceptions import DbtValidationError

from dbt.adapters.databricks_session.jobs_api import auth, tracking
from dbt.adapters.databricks_session.jobs_api.client import SessionApiClient, with_compute
from dbt.adapters.databricks_session.jobs_api.validation import TASK_LEVEL_KEYS, check_model_config

DEFAULT_POLL_INTERVAL = 10.0  # upstream's fixed interval
POLL_INTERVAL_KEY = "jobs_api_poll_interval"


def poll_interval(config: dict[str, Any], credentials: Any) -> float:
    """The model's `jobs_api_poll_interval`, else the profile's, else 10 s."""
    for value in (config.get(POLL_INTERVAL_KEY), getattr(credentials, POLL_INTERVAL_KEY, None)):
        if value is None:
            continue
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = -1.0
        if seconds <= 0:
            raise DbtValidationError(
                f"`{POLL_INTERVAL_KEY}` must be a positive number of seconds, got {value!r}."
            )
        return seconds
    return DEFAULT_POLL_INTERVAL


class SessionHelperMixin:
    """Replaces BaseDatabricksHelper.__init__: validate first (nothing is sent for an invalid
    model), then a client on the profile's or the SDK's default credentials."""

    method = ""

    def __init__(self, parsed_model: dict, credentials: Any) -> None:
        config = parsed_model.get("config", {})
        unique_id = parsed_model.get("unique_id") or parsed_model.get("alias", "model")
        check_model_config(unique_id, config)
        job_config = config.get("python_job_config") or {}
        if isinstance(job_config.get("existing_job_id"), int):  # YAML gives a number
            job_config["existing_job_id"] = str(job_config["existing_job_id"])
        self.credentials = credentials
        try:
            self.parsed_model = ParsedPythonModel(**parsed_model)
        except pydantic.ValidationError as exc:
            problems = "; ".join(
                f"`{'.'.join(str(p) for p in error['loc'])}`: {error['msg']}"
                for error in exc.errors()
            )
            raise DbtValidationError(f"Python model {unique_id}: {problems}") from None
        self._setup()
        try:
            self.validate_config()  # type: ignore[attr-defined]
        except ValueError as exc:  # upstream's config checks raise bare ValueErrors
            raise DbtValidationError(f"Python model {unique_id}: {exc}") from None
        model_config = self.parsed_model.config
        self.api_client: DatabricksApiClient = SessionApiClient(
            auth.workspace_client(credentials, self.method),
            model_config.timeout,
            model_config.user_folder_for_python,
            poll_interval(config, credentials),
            unique_id,
        )
        tracking.remember(self.api_client)
        self.command_submitter = self.build_submitter()  # type: ignore[attr-defined]

    def _setup(self) -> None:
        pass


class SessionJobClusterHelper(SessionHelperMixin, JobClusterPythonJobHelper):
    method = "job_cluster"


class SessionServerlessHelper(SessionHelperMixin, ServerlessClusterPythonJobHelper):
    method = "serverless_cluster"


class SessionAllPurposeHelper(SessionHelperMixin, AllPurposeClusterPythonJobHelper):
    method = "all_purpose_cluster"

    def _setup(self) -> None:
        config = self.parsed_model.config
        self.create_notebook = config.create_notebook
        self.cluster_id = config.cluster_id or self.credentials.extract_cluster_id(
            config.http_path or ""
        )


class SessionWorkflowHelper(SessionHelperMixin, WorkflowPythonJobHelper):
    method = "workflow_job"

    def build_submitter(self) -> PythonSubmitter:
        model = self.parsed_model
        return PythonNotebookWorkflowSubmitter(
            self.api_client,
            self.tracker,
            PythonNotebookUploader(self.api_client, model),
            workflow_compiler(model),
            PythonPermissionBuilder(self.api_client),
            PythonWorkflowCreator(self.api_client.workflows),
            model.config.python_job_config.grants,
            model.config.access_control_list,
            model,
        )


def workflow_compiler(model: ParsedPythonModel) -> PythonWorkflowConfigCompiler:
    """Upstream's compiler with the model task's settings in seed 000's order: the cluster from
    `job_cluster_config` (or `cluster_id`), then python_job_config's task-level keys
    (`existing_cluster_id` used in place of the job cluster, `max_retries`, ...), then
    `additional_task_settings`; the job-level keys stay job settings."""
    config = model.config
    job_config = config.python_job_config
    workflow_spec = job_config.dict()
    task_level = {key: workflow_spec.pop(key) for key in TASK_LEVEL_KEYS if key in workflow_spec}
    task = PythonWorkflowConfigCompiler.cluster_settings(model)
    task = with_compute(task, task_level)
    task = with_compute(task, job_config.additional_task_settings)
    workflow_spec["name"] = PythonWorkflowConfigCompiler.workflow_name(model)
    return PythonWorkflowConfigCompiler(
        task, workflow_spec, job_config.existing_job_id, job_config.post_hook_tasks
    )


HELPERS: dict[str, type[BaseDatabricksHelper]] = {
    "job_cluster": SessionJobClusterHelper,
    "serverless_cluster": SessionServerlessHelper,
    "all_purpose_cluster": SessionAllPurposeHelper,
    "workflow_job": SessionWorkflowHelper,
}
