"""Ctrl-C in session mode cancels in-flight Jobs API runs and commands (dbt calls the connection
manager's `cancel_open`, as its signal handler does)."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.adapters.factory import get_adapter_by_type
from dbt.tests.util import run_dbt

from tests.databricks_emulator import DatabricksEmulator
from tests.functional.jobs_api.conftest import CLUSTER_ID
from tests.support import run_in_thread, wait_for

ENDLESS = """
import time

def model(dbt, session):
    dbt.config(submission_method="{method}"{extra})
    while True:
        time.sleep(0.05)
    return spark.range(1)
"""


class TestCtrlC:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "endless_run.py": ENDLESS.format(method="workflow_job", extra=""),
            "endless_command.py": ENDLESS.format(
                method="all_purpose_cluster", extra=f', cluster_id="{CLUSTER_ID}"'
            ),
        }

    def interrupt(self, model: str, poll_path: str, emulator: DatabricksEmulator) -> Any:
        outcome: dict[str, Any] = {}
        command = ["run", "--select", model]
        thread = run_in_thread("run", lambda: run_dbt(command, expect_pass=False), outcome)

        def polled() -> bool:  # the submitter tracks the run before it polls it
            return len(emulator.requests_to("GET", poll_path)) >= 2

        wait_for(polled, f"dbt to poll {poll_path}")
        get_adapter_by_type("databricks_session").connections.cancel_open()
        thread.join(60)
        assert not thread.is_alive()
        return outcome["run"]

    def test_cancel_open_cancels_the_remote_run(self, project: Any, emulator: DatabricksEmulator):
        results = self.interrupt("endless_run", "/jobs/runs/get", emulator)
        (cancel,) = emulator.requests_to("POST", "/runs/cancel")
        run = emulator.runs[cancel["body"]["run_id"]]
        assert run.done.wait(30) and run.result == "CANCELED"
        assert "was cancelled" in results[0].message

    def test_cancel_open_cancels_the_command(self, project: Any, emulator: DatabricksEmulator):
        results = self.interrupt("endless_command", "/api/1.2/commands/status", emulator)
        (cancel,) = emulator.requests_to("POST", "/api/1.2/commands/cancel")
        assert cancel["body"]["clusterId"] == CLUSTER_ID
        assert "cancelled" in results[0].message.lower()
