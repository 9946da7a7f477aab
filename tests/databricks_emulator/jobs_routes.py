"""Routes: jobs create/reset/get/list/run-now and runs submit/get/get-output/cancel (2.1, 2.2)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from tests.databricks_emulator import schema
from tests.databricks_emulator.runs import Run, TaskRun
from tests.databricks_emulator.state import Job, bad_request

if TYPE_CHECKING:
    from tests.databricks_emulator.server import DatabricksEmulator

Reply = dict[str, Any]
PAGE_SIZE = 20


def create(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    schema.check_body(body, schema.method_schema("JobsAPI", "create"))
    settings = {k: v for k, v in body.items() if k != "access_control_list"}
    _check_settings(emu, settings)
    state = emu.state
    with state.lock:
        job = Job(state.next_id(), settings, state.user_name, int(time.time() * 1000))
        state.jobs[job.job_id] = job
        owner = state.owner()
        state.acls[("jobs", str(job.job_id))] = [owner, *body.get("access_control_list", [])]
    return {"job_id": job.job_id}


def reset(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    schema.check_body(body, schema.method_schema("JobsAPI", "reset"), ("job_id", "new_settings"))
    _check_settings(emu, body["new_settings"])
    with emu.state.lock:
        emu.state.job(body["job_id"]).settings = body["new_settings"]
    return {}


def get(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    with emu.state.lock:
        return emu.state.job(query.get("job_id")).as_dict()


def list_(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    """The `name` filter is exact (case-insensitive), as the service's; paginated."""
    name = query.get("name")
    with emu.state.lock:
        jobs = sorted(emu.state.jobs.values(), key=lambda job: job.job_id)
    if name is not None:
        jobs = [job for job in jobs if str(job.settings.get("name", "")).lower() == name.lower()]
    start = int(query.get("page_token") or 0)
    limit = int(query.get("limit") or PAGE_SIZE)
    page = jobs[start : start + limit]
    reply: Reply = {"jobs": [job.as_dict() for job in page], "has_more": start + limit < len(jobs)}
    if reply["has_more"]:
        reply["next_page_token"] = str(start + limit)
    return reply


def run_now(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    schema.check_body(body, schema.method_schema("JobsAPI", "run_now"), ("job_id",))
    state = emu.state
    with state.lock:
        job = state.job(body["job_id"])
        replay = _by_token(emu, body.get("idempotency_token"))
        if replay is not None:
            return {"run_id": replay.run_id, "number_in_job": replay.run_id}
        settings = job.settings
        run = _new_run(emu, job.job_id, settings.get("name", ""), settings.get("tasks", []))
        run.timeout_seconds = int(settings.get("timeout_seconds") or 0)
        run.idempotency_token = body.get("idempotency_token")
    emu.engine.start(run)
    return {"run_id": run.run_id, "number_in_job": run.run_id}


def submit(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    schema.check_body(body, schema.method_schema("JobsAPI", "submit"), ("tasks",))
    _check_tasks(emu, body["tasks"], [])
    acl = body.get("access_control_list") or []
    schema.check_acl(acl, "jobs")
    state = emu.state
    with state.lock:
        replay = _by_token(emu, body.get("idempotency_token"))
        if replay is not None:
            return {"run_id": replay.run_id}
        # A one-time run gets a hidden job, so that runs/get has a job_id to set an ACL on.
        job = Job(state.next_id(), {"name": body.get("run_name", "")}, state.user_name, 0)
        owner = state.owner()
        state.acls[("jobs", str(job.job_id))] = [owner, *acl]
        run = _new_run(emu, job.job_id, body.get("run_name", ""), body["tasks"])
        run.run_type = "SUBMIT_RUN"
        run.timeout_seconds = int(body.get("timeout_seconds") or 0)
        run.idempotency_token = body.get("idempotency_token")
        state.hidden_jobs[job.job_id] = job
    emu.engine.start(run)
    return {"run_id": run.run_id}


def run_get(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    with emu.state.lock:
        return emu.state.run(query.get("run_id")).as_dict()


def run_output(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    with emu.state.lock:
        run, index = emu.state.run_for_output(query.get("run_id"))
        task = run.tasks[index]
        reply: Reply = {"metadata": task.as_dict(run)}
        if task.error:
            reply["error"] = task.error
        if task.error_trace:
            reply["error_trace"] = task.error_trace
        if task.notebook_result is not None:
            reply["notebook_output"] = {"result": task.notebook_result}
        return reply


def run_cancel(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    schema.check_body(body, schema.method_schema("JobsAPI", "cancel_run"), ("run_id",))
    with emu.state.lock:
        emu.state.run(body["run_id"]).cancel.set()
    return {}


def _by_token(emu: DatabricksEmulator, token: str | None) -> Run | None:
    if not token:
        return None
    return next((run for run in emu.state.runs.values() if run.idempotency_token == token), None)


def _new_run(emu: DatabricksEmulator, job_id: int, name: str, tasks: list[dict]) -> Run:
    state = emu.state
    run_id = state.next_id()
    page_url = f"{emu.url}/#job/{job_id}/run/{run_id}"
    task_runs = [TaskRun(state.next_id(), dict(task)) for task in tasks]
    run = Run(run_id, job_id, name, task_runs, page_url)
    state.runs[run_id] = run
    for index, task in enumerate(task_runs):
        state.task_runs[task.run_id] = (run, index)
    return run


def _check_settings(emu: DatabricksEmulator, settings: Any) -> None:
    from databricks.sdk.service.jobs import JobSettings

    schema.check_value(settings, JobSettings, "settings")
    if not settings.get("name"):
        raise bad_request("A job needs a name")
    _check_tasks(emu, settings.get("tasks") or [], settings.get("job_clusters") or [])


def _check_tasks(emu: DatabricksEmulator, tasks: list[dict], clusters: list[dict]) -> None:
    schema.check_tasks(tasks, clusters)
    with emu.state.lock:
        for task in tasks:
            cluster_id = task.get("existing_cluster_id")
            if cluster_id and cluster_id not in emu.state.clusters:
                raise bad_request(f"Cluster {cluster_id} does not exist")
