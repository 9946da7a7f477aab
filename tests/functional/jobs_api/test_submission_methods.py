"""Every Jobs API submission method from session mode, with seed 000's reused keys on one-time
runs, and the serverless default of workflow_job."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.util import run_dbt

from tests.databricks_emulator import DatabricksEmulator
from tests.functional.jobs_api.conftest import CLUSTER_ID


def model(method: str, extra: str = "") -> str:
    return f"""
def model(dbt, session):
    dbt.config(materialized="table", submission_method="{method}"{extra})
    return spark.range(3).selectExpr("id", "'{method}' as method")
"""


REUSED = {
    "email_notifications": {"on_failure": ["a@example.com"]},
    "webhook_notifications": {"on_failure": [{"id": "hook-1"}]},
    "notification_settings": {"no_alert_for_canceled_runs": True},
    "health": {"rules": [{"metric": "RUN_DURATION_SECONDS", "op": "GREATER_THAN", "value": 60}]},
    "timeout_seconds": 600,
    "max_retries": 1,
    "grants": {"view": [{"group_name": "readers"}]},
}
JOB_CLUSTER = {"spark_version": "15.4.x-scala2.12", "node_type_id": "i3.xlarge", "num_workers": 1}
ENV = [{"environment_key": "env", "spec": {"environment_version": "4"}}]


class TestSubmissionMethods:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "jc.py": model(
                "job_cluster", f", job_cluster_config={JOB_CLUSTER!r}, python_job_config={REUSED!r}"
            ),
            "sl.py": model(
                "serverless_cluster",
                f", python_job_config={{'environments': {ENV!r}}}, environment_key='env'",
            ),
            "ap_cmd.py": model("all_purpose_cluster", f", cluster_id={CLUSTER_ID!r}"),
            "ap_nb.py": model(
                "all_purpose_cluster", f", cluster_id={CLUSTER_ID!r}, create_notebook=True"
            ),
            "wf.py": model("workflow_job"),
            "reads.sql": " union all ".join(
                f"select count(*) as n from {{{{ ref('{name}') }}}}"
                for name in ("jc", "sl", "ap_cmd", "ap_nb", "wf")
            ),
        }

    def test_each_method_builds(self, project: Any, emulator: DatabricksEmulator):
        results = run_dbt(["run"])
        assert len(results) == 6
        counts = project.run_sql("select n from {schema}.reads", fetch="all")
        assert [row[0] for row in counts] == [3, 3, 3, 3, 3]

        submits = {
            r["body"]["run_name"].split("-")[2]: r["body"]
            for r in emulator.requests_to("POST", "/runs/submit")
        }
        assert set(submits) == {"jc", "sl", "ap_nb"}
        jc = submits["jc"]
        for key in (
            "email_notifications",
            "webhook_notifications",
            "notification_settings",
            "health",
        ):
            assert jc[key] == REUSED[key]
        assert jc["timeout_seconds"] == 600
        assert jc["idempotency_token"]
        (task,) = jc["tasks"]
        assert task["new_cluster"] == JOB_CLUSTER and task["max_retries"] == 1
        assert {"group_name": "readers", "permission_level": "CAN_VIEW"} in jc[
            "access_control_list"
        ]
        assert submits["sl"]["environments"] == ENV
        assert submits["sl"]["tasks"][0]["environment_key"] == "env"
        assert submits["ap_nb"]["tasks"][0]["existing_cluster_id"] == CLUSTER_ID
        assert len(emulator.requests_to("POST", "/api/1.2/commands/execute")) == 1

        (wf,) = [job for job in emulator.jobs.values() if job.settings["name"].endswith("-wf")]
        (wf_task,) = wf.settings["tasks"]
        assert not any(
            k in wf_task for k in ("new_cluster", "existing_cluster_id", "job_cluster_key")
        )
