"""The two deliberate departures of `method: dbsql` from upstream (issue 13): a host that never
answers fails within the profile's own limits, and a profile without `host` fails `dbt run` with
dbt's message instead of a traceback. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from dbt.adapters.contracts.connection import ConnectionState
from dbt.adapters.databricks.connections import DatabricksConnectionManager

from dbt.adapters.databricks_session.connections import DatabricksSessionConnectionManager
from dbt.adapters.databricks_session.credentials import DatabricksSessionCredentials
from dbt.adapters.databricks_session.dbsql_open import PROBE_ALLOWANCE_S, open_deadline
from tests.unit.test_dbsql_unchanged import both, connection, raised

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

WAREHOUSE_PATH = "/sql/1.0/warehouses/abc123"


@pytest.fixture(scope="session")
def silent_server() -> int:
    """A TCP server on 127.0.0.1 that accepts every connection and never answers.

    It lives as long as the test process: the connection attempt abandoned at the deadline stays
    blocked on it (in a daemon thread) instead of retrying against a closed port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            held.append(server.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    return int(server.getsockname()[1])


def dbsql(**values: Any) -> DatabricksSessionCredentials:
    profile = {"method": "dbsql", "http_path": WAREHOUSE_PATH, "token": "dapi-x", "schema": "s"}
    return DatabricksSessionCredentials.from_dict({**profile, **values})


def test_deadline_only_when_the_profile_sets_connect_timeout() -> None:
    assert open_deadline(dbsql(host="h")) is None  # upstream's behaviour, unchanged
    assert open_deadline(dbsql(host="h", connect_timeout=5, connect_retries=0)) == (
        PROBE_ALLOWANCE_S + 5
    )
    # Two retries: three attempts and two waits of connect_timeout each.
    assert open_deadline(dbsql(host="h", connect_timeout=5, connect_retries=2)) == (
        PROBE_ALLOWANCE_S + 25
    )


def test_host_that_never_answers_fails_within_the_profiles_limits(
    tmp_path: Path, silent_server: int
) -> None:
    # A child process: the abandoned attempt keeps dbt-databricks' process-wide credentials lock
    # until its own timeouts end, which would stall every later dbsql open in this process.
    profile = {"host": f"127.0.0.1:{silent_server}", "connect_retries": 0, "connect_timeout": 1}
    result = dbt_run(write_project(tmp_path, profile))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    expected = f"Could not open a connection to 127.0.0.1:{silent_server} within 21 s: no answer"
    assert expected in output, output
    assert "connect_timeout: 1, connect_retries: 0" in output
    assert "Check `host` and `http_path`" in output
    assert "Traceback" not in output


def test_bounded_open_keeps_upstreams_errors() -> None:
    # Port 99999 cannot exist: the connector fails at once, and the error is upstream's own.
    profile = {
        "host": "127.0.0.1:99999",
        "http_path": WAREHOUSE_PATH,
        "token": "dapi-x",
        "schema": "s",
        "connect_retries": 0,
        "connect_timeout": 5,
        "connection_parameters": {"_retry_stop_after_attempts_count": 1},
    }
    upstream, ours = both(profile)
    upstream_conn, ours_conn = connection(upstream), connection(ours)
    expected = raised(lambda: DatabricksConnectionManager.open(upstream_conn))
    actual = raised(lambda: DatabricksSessionConnectionManager.open(ours_conn))
    assert type(actual) is type(expected)
    assert str(actual) == str(expected)
    assert ours_conn.state == upstream_conn.state == ConnectionState.FAIL


def write_project(root: Path, profile: dict[str, Any]) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "models" / "one.sql").write_text("select 1 as id\n")
    (root / "dbt_project.yml").write_text(
        "name: p\nversion: '1.0'\nconfig-version: 2\nprofile: p\n"
    )
    output = {
        "type": "databricks_session",
        "method": "dbsql",
        "http_path": WAREHOUSE_PATH,
        "token": "dapi-x",
        "schema": "s",
        **profile,
    }
    (root / "profiles.yml").write_text(
        yaml.safe_dump({"p": {"target": "t", "outputs": {"t": output}}})
    )
    return root


def dbt_run(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from dbt.cli.main import cli; cli()", "run"]
        + ["--project-dir", str(project), "--profiles-dir", str(project)],
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_dbt_run_without_host_is_dbts_message_not_a_traceback(tmp_path: Path) -> None:
    result = dbt_run(write_project(tmp_path, {}))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "The config 'host' is required to connect to Databricks" in output, output
    assert "Traceback" not in output and "'NoneType' object" not in output, output
