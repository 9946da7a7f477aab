"""Commands that start no Spark import none of the session-only dependencies.

`dbt parse` and `dbt ls` of a session-mode project run in a fresh Python process (this pytest
process may already hold pyspark), which then reports the modules it imported. pyspark, Py4J,
delta-spark and the Jobs API client are imported only by the code that uses them: opening a
session, or submitting a Python model through the Jobs API.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

NOT_AT_PARSE = (
    "pyspark",
    "py4j",
    "delta",
    "grpc",
    "dbt.adapters.databricks_session.jobs_api.client",
    "dbt.adapters.databricks_session.jobs_api.validation",
)
SCRIPT = """
import json, sys
from dbt.cli.main import dbtRunner
result = dbtRunner().invoke(sys.argv[2:])
wanted = json.loads(sys.argv[1])
loaded = [m for m in sys.modules if any(m == w or m.startswith(w + ".") for w in wanted)]
print("RESULT " + json.dumps({"ok": result.success, "loaded": sorted(loaded)}))
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lazy")
    (root / "models").mkdir()
    (root / "models" / "one.sql").write_text("select 1 as id\n")
    (root / "models" / "two.sql").write_text("select id from {{ ref('one') }}\n")
    (root / "dbt_project.yml").write_text(
        'name: lazy\nversion: "1.0"\nconfig-version: 2\nprofile: lazy\n'
    )
    target = {"type": "databricks_session", "method": "session", "schema": "lazy"}
    profile = {"lazy": {"target": "dev", "outputs": {"dev": target}}}
    (root / "profiles.yml").write_text(yaml.safe_dump(profile))
    return root


@pytest.mark.parametrize("command", ["parse", "ls"])
def test_command_without_spark_imports_no_session_dependency(project: Path, command: str) -> None:
    args = [command, "--project-dir", str(project), "--profiles-dir", str(project)]
    args += ["--target-path", str(project / f"target-{command}"), "--no-partial-parse"]
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("DATABRICKS_RUNTIME_VERSION", None)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(NOT_AT_PARSE), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
        cwd=project,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, proc.stdout + proc.stderr
    result = json.loads(lines[-1][len("RESULT ") :])
    assert result["ok"], proc.stdout
    assert result["loaded"] == []
