"""The upstream (dbt-databricks) defects this adapter fixes in its own layer, re-checked against
the installed version over real HTTP to the emulator. When one of these starts failing, upstream
fixed the defect and our workaround can be reviewed (docs/python-models.md lists them)."""

from __future__ import annotations

from typing import Any

import pytest
from databricks.sdk import WorkspaceClient
from dbt.adapters.databricks.api_client import JobRunsApi, WorkflowJobApi
from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.databricks_session.jobs_api.client import SessionJobRunsApi
from tests.databricks_emulator import DatabricksEmulator

TASK = {"task_key": "inner_notebook", "notebook_task": {"notebook_path": "/nb"}}


@pytest.fixture
def emu() -> Any:
    with DatabricksEmulator(spark_less=True) as emulator:
        emulator.add_notebook("/nb", "x = 1")
        yield emulator


def client(emu: DatabricksEmulator) -> WorkspaceClient:
    return WorkspaceClient(host=emu.url, token=emu.token)


def test_upstream_one_time_run_crashes_on_dict_settings(emu: DatabricksEmulator) -> None:
    upstream = JobRunsApi(client(emu), 1, 60)
    with pytest.raises(DbtRuntimeError, match="as_dict"):
        upstream.submit("r", TASK, email_notifications={"on_failure": ["a@b.c"]})
    with pytest.raises(DbtRuntimeError, match="unexpected keyword argument"):
        upstream.submit("r", TASK, max_retries=2)
    assert not emu.requests_to("POST", "/runs/submit")


def test_upstream_submit_has_no_idempotency_token(emu: DatabricksEmulator) -> None:
    JobRunsApi(client(emu), 1, 60).submit("r", TASK)
    (sent,) = emu.requests_to("POST", "/runs/submit")
    assert "idempotency_token" not in sent["body"]


def test_upstream_workflow_drops_task_keys_and_typos(emu: DatabricksEmulator) -> None:
    spec = {"name": "wf", "max_retries": 2, "tasks": [{**TASK, "job_clustr_key": "typo"}]}
    WorkflowJobApi(client(emu)).create(spec)
    (sent,) = emu.requests_to("POST", "/jobs/create")
    assert "max_retries" not in sent["body"]
    assert sent["body"]["tasks"] == [TASK]  # the typo vanished silently


def test_ours_sends_them_typed_with_a_token(emu: DatabricksEmulator) -> None:
    ours = SessionJobRunsApi(client(emu), 0.05, 60, "model.p.m")
    run_id = ours.submit(
        "r", TASK, email_notifications={"on_failure": ["a@b.c"]}, max_retries=2, name="ignored"
    )
    ours.poll_for_completion(run_id)
    (sent,) = emu.requests_to("POST", "/runs/submit")
    assert sent["body"]["email_notifications"] == {"on_failure": ["a@b.c"]}
    assert sent["body"]["tasks"] == [{**TASK, "max_retries": 2}]
    assert sent["body"]["idempotency_token"]
