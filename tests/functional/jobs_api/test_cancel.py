"""Ctrl-C in session mode cancels in-flight Jobs API runs (dbt calls the connection manager's
`cancel_open`, as its signal handler does)."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.adapters.factory import get_adapter_by_type
from dbt.tests.util import run_dbt

from tests.databricks_emulator import DatabricksEmulator
from tests.support import run_in_thread, wait_for

ENDLESS = """
import time

def model(dbt, session):
    dbt.config(submission_method="workflow_job")
    while True:
        time.sleep(0.05)
    return spark.range(1)
"""


class TestCtrlC:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"endless.py": ENDLESS}

    def test_cancel_open_cancels_the_remote_run(self, project: Any, emulator: DatabricksEmulator):
        outcome: dict[str, Any] = {}
        thread = run_in_thread("run", lambda: run_dbt(["run"], expect_pass=False), outcome)

        def polled() -> bool:  # the submitter tracks the run before it polls it
            return len(emulator.requests_to("GET", "/jobs/runs/get")) >= 2

        wait_for(polled, "dbt to poll the workflow run")
        get_adapter_by_type("databricks_session").connections.cancel_open()
        thread.join(60)
        assert not thread.is_alive(), [r["path"] for r in emulator.requests[-5:]]
        (cancel,) = emulator.requests_to("POST", "/runs/cancel")
        run = emulator.runs[cancel["body"]["run_id"]]
        assert run.done.wait(30) and run.result == "CANCELED"
        results = outcome["run"]
        assert "cancelled" in results[0].message
