"""The emulator on its own (Spark-less): validation, run engine, faults, journal and CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.databricks_emulator import DatabricksEmulator
from tests.support import wait_for

ROOT = Path(__file__).resolve().parents[2]


def call(emu: DatabricksEmulator, method: str, path: str, body: Any = None, **query: Any) -> Any:
    response = requests.request(
        method,
        emu.url + path,
        params=query or None,
        json=body,
        headers={"Authorization": f"Bearer {emu.token}"},
        timeout=10,
    )
    return response.status_code, response.json()


def notebook_task(key: str, path: str = "/nb", **extra: Any) -> dict[str, Any]:
    return {"task_key": key, "notebook_task": {"notebook_path": path}, **extra}


def finished(emu: DatabricksEmulator, run_id: int) -> dict[str, Any]:
    run = emu.runs[run_id]
    assert run.done.wait(30)
    return call(emu, "GET", "/api/2.2/jobs/runs/get", run_id=run_id)[1]


@pytest.fixture
def emu() -> Any:
    with DatabricksEmulator(spark_less=True) as emulator:
        emulator.add_notebook("/nb", "x = 1\n# COMMAND ----------\nprint(x)")
        emulator.add_notebook("/fails", "raise ValueError('boom')")
        yield emulator


def test_bearer_auth_and_error_shape(emu: DatabricksEmulator) -> None:
    response = requests.get(emu.url + "/api/2.0/preview/scim/v2/Me", timeout=5)
    assert response.status_code == 401
    assert response.json()["error_code"] == "UNAUTHENTICATED"
    assert call(emu, "GET", "/api/2.2/jobs/nope")[1]["error_code"] == "ENDPOINT_NOT_FOUND"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "j", "tasks": [notebook_task("a", new_clustr={})]}, "new_clustr: unknown field"),
        ({"name": "j", "timeout_seconds": "abc"}, "timeout_seconds: expected an integer"),
        ({"name": "j", "tasks": [{"notebook_task": {"notebook_path": "/x"}}]}, "task_key"),
        ({"name": "j", "tasks": [notebook_task("a", run_if="SOMETIMES")]}, "is not one of"),
        ({"name": "j", "tasks": [notebook_task("a"), notebook_task("a")]}, "unique"),
        ({"name": "j", "tasks": [notebook_task("a", depends_on=[{"task_key": "z"}])]}, "z"),
        ({"name": "j", "tasks": [notebook_task("a", job_cluster_key="c")]}, "not defined"),
        (
            {
                "name": "j",
                "tasks": [
                    notebook_task("a", existing_cluster_id="x", new_cluster={"spark_version": "v"})
                ],
            },
            "more than one compute",
        ),
        ({"name": "j", "tasks": [notebook_task("a", existing_cluster_id="nope")]}, "nope"),
    ],
)
def test_create_rejects_invalid_settings(emu: DatabricksEmulator, body: dict, message: str) -> None:
    status, reply = call(emu, "POST", "/api/2.2/jobs/create", body)
    assert status == 400 and reply["error_code"] == "INVALID_PARAMETER_VALUE"
    assert message in reply["message"]
    assert not emu.jobs


def test_permission_levels_checked_per_object(emu: DatabricksEmulator) -> None:
    job_id = call(emu, "POST", "/api/2.2/jobs/create", {"name": "j"})[1]["job_id"]
    acl = [{"group_name": "g", "permission_level": "CAN_READ"}]  # a notebook level
    assert (
        call(emu, "PUT", f"/api/2.0/permissions/jobs/{job_id}", {"access_control_list": acl})[0]
        == 400
    )
    owners = [{"user_name": u, "permission_level": "IS_OWNER"} for u in ("a", "b")]
    status, _ = call(
        emu, "PUT", f"/api/2.0/permissions/jobs/{job_id}", {"access_control_list": owners}
    )
    assert status == 400


def test_tasks_run_in_order_with_run_if_and_retries(emu: DatabricksEmulator) -> None:
    tasks = [
        notebook_task("first", "/fails", max_retries=1),
        notebook_task("skipped", depends_on=[{"task_key": "first"}]),
        notebook_task("always", depends_on=[{"task_key": "first"}], run_if="ALL_DONE"),
        {"task_key": "sql", "sql_task": {"warehouse_id": "w", "query": {"query_id": "q"}}},
    ]
    job_id = call(emu, "POST", "/api/2.2/jobs/create", {"name": "j", "tasks": tasks})[1]["job_id"]
    run_id = call(emu, "POST", "/api/2.2/jobs/run-now", {"job_id": job_id})[1]["run_id"]
    run = finished(emu, run_id)
    states = {t["task_key"]: t["state"].get("result_state") for t in run["tasks"]}
    assert states == {
        "first": "FAILED",
        "skipped": "UPSTREAM_FAILED",
        "always": "SUCCESS",
        "sql": "FAILED",
    }
    assert run["state"]["result_state"] == "FAILED"
    first = next(t for t in run["tasks"] if t["task_key"] == "first")
    assert first["attempt_number"] == 1  # retried once
    output = call(emu, "GET", "/api/2.2/jobs/runs/get-output", run_id=first["run_id"])[1]
    assert output["error"] == "ValueError: boom" and "Traceback" in output["error_trace"]
    sql = next(t for t in run["tasks"] if t["task_key"] == "sql")
    assert "EMULATOR_UNSUPPORTED" in sql["state"]["state_message"]
    assert call(emu, "GET", "/api/2.2/jobs/runs/get-output", run_id=run_id)[0] == 400


def test_timeout_and_cancel(emu: DatabricksEmulator) -> None:
    emu.add_notebook("/loop", "import time\nwhile True:\n    time.sleep(0.01)")
    body = {"run_name": "r", "tasks": [notebook_task("t", "/loop", timeout_seconds=1)]}
    run_id = call(emu, "POST", "/api/2.2/jobs/runs/submit", body)[1]["run_id"]
    assert finished(emu, run_id)["state"]["result_state"] == "TIMEDOUT"
    body = {"run_name": "r", "tasks": [notebook_task("t", "/loop")]}
    run_id = call(emu, "POST", "/api/2.2/jobs/runs/submit", body)[1]["run_id"]
    wait_for(lambda: emu.runs[run_id].life == "RUNNING", "the run to start")
    call(emu, "POST", "/api/2.2/jobs/runs/cancel", {"run_id": run_id})
    assert finished(emu, run_id)["state"]["result_state"] == "CANCELED"


def test_idempotency_and_exact_name_filter(emu: DatabricksEmulator) -> None:
    body = {"run_name": "r", "tasks": [notebook_task("t")], "idempotency_token": "tok"}
    first = call(emu, "POST", "/api/2.2/jobs/runs/submit", body)[1]["run_id"]
    assert call(emu, "POST", "/api/2.2/jobs/runs/submit", body)[1]["run_id"] == first
    for name in ("wfA", "wfB"):
        call(emu, "POST", "/api/2.2/jobs/create", {"name": name})
    listed = call(emu, "GET", "/api/2.2/jobs/list", name="WFA")[1]["jobs"]
    assert [job["settings"]["name"] for job in listed] == ["wfA"]


def test_faults(emu: DatabricksEmulator) -> None:
    emu.add_fault(method="GET", path="*/Me", status=429, retry_after=3, times=1)
    response = requests.get(
        emu.url + "/api/2.0/preview/scim/v2/Me",
        headers={"Authorization": f"Bearer {emu.token}"},
        timeout=5,
    )
    assert response.status_code == 429 and response.headers["Retry-After"] == "3"
    assert call(emu, "GET", "/api/2.0/preview/scim/v2/Me")[0] == 200  # times=1
    emu.add_fault(path="*/mkdirs", drop_after_apply=True)
    with pytest.raises(requests.ConnectionError):
        call(emu, "POST", "/api/2.0/workspace/mkdirs", {"path": "/a/b"})
    assert "/a/b" in emu.state.objects  # applied, then dropped
    emu.add_fault(path="*/get-status", hang=True)
    with pytest.raises(requests.Timeout):
        requests.get(
            emu.url + "/api/2.0/workspace/get-status",
            params={"path": "/a"},
            headers={"Authorization": f"Bearer {emu.token}"},
            timeout=0.5,
        )
    paths = [r["path"] for r in emu.requests]
    assert paths.count("/api/2.0/preview/scim/v2/Me") == 2 and paths[-1].endswith("get-status")


def test_command_api(emu: DatabricksEmulator) -> None:
    emu.add_cluster("c1")
    context = call(
        emu, "POST", "/api/1.2/contexts/create", {"clusterId": "c1", "language": "python"}
    )
    context_id = context[1]["id"]
    body = {"clusterId": "c1", "contextId": context_id, "language": "python", "command": "1/0"}
    command_id = call(emu, "POST", "/api/1.2/commands/execute", body)[1]["id"]
    query = {"clusterId": "c1", "contextId": context_id, "commandId": command_id}
    wait_for(
        lambda: call(emu, "GET", "/api/1.2/commands/status", **query)[1]["status"] == "Finished",
        "the command",
    )
    results = call(emu, "GET", "/api/1.2/commands/status", **query)[1]["results"]
    assert results["resultType"] == "error" and "ZeroDivisionError" in results["cause"]


def test_cli_serves_and_journals(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.databricks_emulator",
            "--port",
            "0",
            "--journal",
            str(journal),
            "--token",
            "t0k",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split()[0].split("=", 1)[1]
        request = urllib.request.Request(
            url + "/api/2.0/workspace/mkdirs",
            data=json.dumps({"path": "/x"}).encode(),
            headers={"Authorization": "Bearer t0k", "Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=5).read()
        deadline = time.monotonic() + 10
        while not journal.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        (entry,) = [json.loads(x) for x in journal.read_text().splitlines()]
        assert entry == {
            "method": "POST",
            "path": "/api/2.0/workspace/mkdirs",
            "query": {},
            "body": {"path": "/x"},
        }
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url + "/api/2.2/jobs/list", timeout=5)
    finally:
        proc.terminate()
        proc.wait(10)
