"""Typos rejected before any request, a failing notebook's traceback, timeout cancels the run,
retried faults never duplicate a job or a run, and credentials from the SDK's environment."""

from __future__ import annotations

import glob
import os
from typing import Any

import pytest
from dbt.tests.util import run_dbt, run_dbt_and_capture

from tests.databricks_emulator import DatabricksEmulator
from tests.functional.jobs_api.conftest import CLUSTER_ID

TYPO = """
def model(dbt, session):
    dbt.config(
        submission_method="workflow_job",
        python_job_config={"email_notification": {"on_failure": ["a@example.com"]},
                           "post_hook_tasks": [{"task_key": "h", "notebook_task": {
                               "notebook_path": "/x", "source": "WORKSPAC"}}]},
        job_cluster_config={"spark_versio": "15.4.x-scala2.12"},
    )
    return spark.range(1)
"""

FAILS = """
def model(dbt, session):
    dbt.config(submission_method="workflow_job")
    return spark.range(1).selectExpr("id / 0 as x").limit(1 // 0)
"""

SLOW = """
import time

def model(dbt, session):
    dbt.config(submission_method="serverless_cluster", timeout=1)
    while True:
        time.sleep(0.05)
    return spark.range(1)
"""

SIMPLE = """
def model(dbt, session):
    dbt.config(submission_method="{method}")
    return spark.range(2)
"""


def select(model: str) -> list[str]:
    return ["run", "--select", model]


class TestErrors:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        dup = SIMPLE.format(method="workflow_job").replace(
            '"workflow_job")', '"workflow_job", python_job_config={"name": "twice"})'
        )
        slow_command = SLOW.replace(
            'submission_method="serverless_cluster"',
            f'submission_method="all_purpose_cluster", cluster_id="{CLUSTER_ID}"',
        )
        return {
            "typo.py": TYPO,
            "fails.py": FAILS,
            "slow.py": SLOW,
            "slow_command.py": slow_command,
            "dup.py": dup,
            "no_cluster.py": SIMPLE.format(method="job_cluster"),
            "zero_timeout.py": SIMPLE.format(method="serverless_cluster").replace(
                '"serverless_cluster")', '"serverless_cluster", timeout=0)'
            ),
        }

    def test_typos_rejected_with_zero_requests(self, project: Any, emulator: DatabricksEmulator):
        before = len(emulator.requests)
        _, out = run_dbt_and_capture(select("typo"), expect_pass=False)
        assert (
            "`python_job_config.email_notification`: unknown key; did you mean "
            "`email_notifications`?" in out
        )
        assert (
            "`job_cluster_config.spark_versio`: unknown key; did you mean `spark_version`?" in out
        )
        assert (
            "post_hook_tasks[0].notebook_task.source`: 'WORKSPAC' is not a valid value; "
            "did you mean `WORKSPACE`?" in out
        )
        assert "model.test.typo" in out
        assert len(emulator.requests) == before

    @pytest.mark.parametrize(
        ("model", "expected"),
        [
            ("no_cluster", "`job_cluster_config` is required for the `job_cluster` submission"),
            ("zero_timeout", "`config.timeout`: Input should be greater than 0"),
        ],
    )
    def test_config_errors_before_any_request(
        self, project: Any, emulator: DatabricksEmulator, model: str, expected: str
    ):
        before = len(emulator.requests)
        _, out = run_dbt_and_capture(select(model), expect_pass=False)
        assert expected in out and f"model.test.{model}" in out
        assert len(emulator.requests) == before

    @pytest.mark.parametrize("life_cycle", ["TERMINATED", "INTERNAL_ERROR"])
    def test_failing_notebook_traceback(
        self, project: Any, emulator: DatabricksEmulator, life_cycle: str
    ):
        emulator.settings.failure_life_cycle = life_cycle
        try:
            _, out = run_dbt_and_capture(select("fails"), expect_pass=False)
        finally:
            emulator.settings.failure_life_cycle = "TERMINATED"
        assert f"ended {life_cycle}/FAILED" in out
        assert "ZeroDivisionError: integer division or modulo by zero" in out
        assert "Traceback (most recent call last)" in out and "<notebook cell" in out
        assert f"started: {emulator.url}/#job/" in out  # the run page URL, at start

    def test_timeout_cancels_the_command(self, project: Any, emulator: DatabricksEmulator):
        _, out = run_dbt_and_capture(select("slow_command"), expect_pass=False)
        assert (
            f"exceeded its timeout of 1 s; its command on cluster {CLUSTER_ID} was cancelled" in out
        )
        (cancel,) = emulator.requests_to("POST", "/api/1.2/commands/cancel")
        context = emulator.state.contexts.get(cancel["body"]["contextId"])
        if context is not None:  # destroyed after the cancel, as it should be
            assert not context["commands"][cancel["body"]["commandId"]].thread.is_alive()
        assert emulator.requests_to("POST", "/api/1.2/contexts/destroy")

    def test_two_jobs_with_the_name(self, project: Any, emulator: DatabricksEmulator):
        for _ in range(2):
            emulator.add_job({"name": "twice"})
        _, out = run_dbt_and_capture(select("dup"), expect_pass=False)
        assert "Multiple jobs found with name twice" in out and "`existing_job_id`" in out

    def test_timeout_cancels_the_run(self, project: Any, emulator: DatabricksEmulator):
        _, out = run_dbt_and_capture(select("slow"), expect_pass=False)
        assert "exceeded its timeout of 1 s" in out
        (cancel,) = emulator.requests_to("POST", "/runs/cancel")
        run = emulator.runs[cancel["body"]["run_id"]]
        assert run.done.wait(30) and run.result == "CANCELED"


FAULTS = {
    "delay": {"delay": 0.3},
    "429": {"status": 429, "retry_after": 0},
    "503": {"status": 503, "retry_after": 0},
    "transient_500": {"status": 500, "message": "Unexpected error: try again"},
    "dropped": {"drop_after_apply": True},
    "dropped_unapplied": {"drop": True},
}


class TestFaults:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "wf_fault.py": SIMPLE.format(method="workflow_job"),
            "sl_fault.py": SIMPLE.format(method="serverless_cluster"),
        }

    @pytest.mark.parametrize("kind", list(FAULTS))
    def test_fault_gives_one_job_and_one_run(
        self, project: Any, emulator: DatabricksEmulator, kind: str
    ):
        emulator.state.jobs = {
            k: v for k, v in emulator.state.jobs.items() if not v.settings["name"].endswith("fault")
        }
        runs_before = set(emulator.runs)
        for path in ("*/jobs/create", "*/jobs/run-now", "*/jobs/runs/submit"):
            emulator.add_fault(method="POST", path=path, **FAULTS[kind])
        run_dbt(["run"])
        emulator.wait_idle()
        names = [j.settings["name"] for j in emulator.jobs.values()]
        assert sum(name.endswith("-wf_fault") for name in names) == 1
        new_runs = [emulator.runs[r] for r in set(emulator.runs) - runs_before]
        assert sorted(run.run_type for run in new_runs) == ["JOB_RUN", "SUBMIT_RUN"]
        assert all(run.result == "SUCCESS" for run in new_runs)
        assert all(f.fired == 1 for f in emulator.faults[-3:])


class TestCredentialsFromEnvironment:
    @pytest.fixture(scope="class")
    def dbt_profile_target(self, spark: Any, spark_local_dir: str) -> dict[str, Any]:
        return {
            "type": "databricks_session",
            "method": "session",
            "threads": 2,
            "spark_local_dir": spark_local_dir,
            "jobs_api_poll_interval": 0.05,
        }

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"env_wf.py": SIMPLE.format(method="workflow_job")}

    def test_nothing_found_is_one_clear_error(self, project: Any):
        _, out = run_dbt_and_capture(["run"], expect_pass=False)
        assert "no workspace credentials were found" in out
        assert "DATABRICKS_HOST with DATABRICKS_TOKEN" in out and "Traceback" not in out
        _, out = run_dbt_and_capture(["debug"])  # debug still passes, and says so
        assert "Jobs API workspace: no credentials found" in out

    def test_sdk_chain_from_environment(
        self,
        project: Any,
        logs_dir: str,
        emulator: DatabricksEmulator,
        monkeypatch: pytest.MonkeyPatch,
    ):
        monkeypatch.setenv("DATABRICKS_HOST", emulator.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", emulator.token)
        before = len(emulator.runs)
        run_dbt(["run"])
        assert len(emulator.runs) == before + 1
        _, out = run_dbt_and_capture(["debug"])
        assert "Jobs API credentials: sdk default chain (environment: DATABRICKS_HOST" in out
        assert f"Jobs API workspace: {emulator.url} answers" in out
        written = [
            path
            for root in (project.project_root, logs_dir)
            for path in glob.glob(os.path.join(root, "**", "*"), recursive=True)
        ]
        files = [path for path in written if os.path.isfile(path)]
        assert any(path.endswith(".log") for path in files)
        for path in files:
            with open(path, "rb") as file:
                assert emulator.token.encode() not in file.read(), path

    def test_oauth_m2m_from_environment(
        self, project: Any, emulator: DatabricksEmulator, monkeypatch: pytest.MonkeyPatch
    ):
        monkeypatch.setenv("DATABRICKS_HOST", emulator.url)
        monkeypatch.setenv("DATABRICKS_CLIENT_ID", emulator.client_id)
        monkeypatch.setenv("DATABRICKS_CLIENT_SECRET", emulator.client_secret)
        before = len(emulator.runs)
        _, out = run_dbt_and_capture(["run"])
        assert len(emulator.runs) == before + 1
        assert emulator.requests_to("POST", "/oidc/v1/token")
        assert emulator.client_secret not in out and emulator.token not in out


class TestDatabricksProfile:
    @pytest.fixture(scope="class")
    def dbt_profile_target(self, spark: Any, spark_local_dir: str) -> dict[str, Any]:
        return {
            "type": "databricks_session",
            "method": "session",
            "spark_local_dir": spark_local_dir,
            "databricks_profile": "emulated",
            "jobs_api_poll_interval": 0.05,
        }

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"cfg_sl.py": SIMPLE.format(method="serverless_cluster")}

    def test_profile_from_databrickscfg(
        self,
        project: Any,
        emulator: DatabricksEmulator,
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Any,
    ):
        config = tmp_path / "databrickscfg"
        config.write_text(f"[emulated]\nhost = {emulator.url}\ntoken = {emulator.token}\n")
        monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(config))
        before = len(emulator.runs)
        _, out = run_dbt_and_capture(["run"])
        assert len(emulator.runs) == before + 1
        _, out = run_dbt_and_capture(["debug"])
        assert (
            "Jobs API credentials: databricks_profile (~/.databrickscfg profile 'emulated')" in out
        )
        assert emulator.token not in out


SERVICE_PRINCIPAL = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"


class TestServicePrincipalOwner:
    @pytest.fixture(scope="class")
    def emulator(self, spark: Any) -> Any:
        with DatabricksEmulator(spark=spark, user_name=SERVICE_PRINCIPAL) as emu:
            yield emu

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        grants = '{"grants": {"manage": [{"group_name": "admins"}]}}'
        model = SIMPLE.format(method="workflow_job").replace(
            '"workflow_job")', f'"workflow_job", python_job_config={grants})'
        )
        return {"sp_wf.py": model}

    def test_owner_is_the_service_principal(self, project: Any, emulator: DatabricksEmulator):
        run_dbt(["run"])
        (job_id,) = emulator.jobs
        (put,) = [r for r in emulator.requests_to("PUT", f"/permissions/jobs/{job_id}")]
        assert put["body"]["access_control_list"] == [
            {"service_principal_name": SERVICE_PRINCIPAL, "permission_level": "IS_OWNER"},
            {"group_name": "admins", "permission_level": "CAN_MANAGE"},
        ]
