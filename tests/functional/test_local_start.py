"""Starting the embedded local Spark from a real `dbt` process, as a user does from a checkout:
where its state lands with a relative `--project-dir`, what the console shows while it starts,
and what a JVM that exits at start reports.

Each case is a fresh process (the test process already runs its own Spark): two JVM starts.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from dbt.adapters.databricks_session.spark import jvm_output

DBT = [sys.executable, "-c", "from dbt.cli.main import cli; cli()"]
# What the JVM and log4j print on a start (the list), and log4j's line format.
JVM_NOISE = (
    "WARNING: Using incubator modules",
    "resolves to a loopback address",
    "NativeCodeLoader",
    'Setting default log level to "WARN"',
    "log4j",
    "To adjust logging level",
)
LOG4J_LINE = re.compile(r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d (WARN|INFO|ERROR) ", re.MULTILINE)


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SPARK_REMOTE")}
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return env


def write_project(root: Path) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "models" / "one.sql").write_text("select 1 as id\n")
    (root / "dbt_project.yml").write_text(
        "name: start\nversion: '1.0'\nconfig-version: 2\nprofile: start\n"
    )
    output = {"type": "databricks_session", "method": "session", "schema": "start"}
    output.update(threads=1, spark_master="local[1]")  # no spark_local_dir: the default
    profile = {"start": {"target": "t", "outputs": {"t": output}}}
    (root / "profiles.yml").write_text(yaml.safe_dump(profile))
    return root


def dbt(cwd: Path, *args: str, project_dir: str = "proj") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DBT, *args, "--project-dir", project_dir, "--profiles-dir", project_dir],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_debug_with_relative_project_dir_uses_the_projects_target(tmp_path: Path) -> None:
    """`dbt debug` hands the adapter its profile without the project: the local state must
    still land in <project>/target/spark, where `dbt run` with the same flag puts it."""
    project = write_project(tmp_path / "proj")
    result = dbt(tmp_path, "debug")
    console = result.stdout + result.stderr
    assert result.returncode == 0, console
    assert (project / "target" / "spark" / "metastore_db").is_dir(), console
    assert not (tmp_path / "target").exists(), console


def test_relative_project_dir_quiet_start_timing_and_clean(tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj")
    result = dbt(tmp_path, "run")
    console = result.stdout + result.stderr
    assert result.returncode == 0, console

    # The state is in <project>/target/spark, not <project>/<project>/target/spark.
    state = project / "target" / "spark"
    assert (state / "metastore_db").is_dir(), console
    assert (state / "warehouse").is_dir()
    assert not (project / "proj").exists()
    assert f"tables and metastore in {state}" in console

    # No JVM noise on the console: it is in the JVM log beside the metastore.
    for noise in JVM_NOISE:
        assert noise not in console, f"{noise!r} on the console:\n{console}"
    assert not LOG4J_LINE.search(console), console
    jvm_log = (state / jvm_output.JVM_LOG_NAME).read_text()
    assert "log4j" in jvm_log

    # One line before the wait, one after with the time it took.
    lines = console.splitlines()
    before = [i for i, line in enumerate(lines) if "Session mode: starting local Spark 4." in line]
    after = [i for i, line in enumerate(lines) if "Session mode: started local Spark" in line]
    assert len(before) == 1 and len(after) == 1, console
    assert before[0] < after[0]
    assert "(first start creates the metastore)" in lines[before[0]]
    assert re.search(r"started local Spark 4\.\S+ \(local\[1\]\) in \d+\.\d s;", lines[after[0]])

    # `dbt clean` resets the local state, as the docs say. (dbt-core 1.11's clean refuses a
    # relative --project-dir as "outside the project", whatever the adapter: docs say so.)
    refused = dbt(tmp_path, "clean")
    assert "outside the project" in refused.stdout + refused.stderr
    cleaned = dbt(tmp_path, "clean", project_dir=str(project))
    assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr
    assert not state.exists()


def test_jvm_that_exits_at_start_names_the_cause(tmp_path: Path) -> None:
    # The profile checks refuse this master before Java starts; this is the net behind them.
    script = textwrap.dedent(
        f"""
        from dbt.adapters.databricks_session.spark.local import LocalSparkSettings
        from dbt.adapters.databricks_session.spark.local import start_local_spark
        try:
            start_local_spark(LocalSparkSettings(master="locl[2]", local_dir={str(tmp_path)!r}))
        except Exception as exc:
            print("ERROR:", exc)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert "ERROR:" in result.stdout, output
    message = result.stdout.split("ERROR:", 1)[1]
    assert "Could not start local Spark (locl[2]): Java exited while starting" in message
    assert "Master must either be yarn or start with spark, k8s, or local" in message
    assert "`spark_master`" in message
    assert str(tmp_path / jvm_output.JVM_LOG_NAME) in message
    assert "JAVA_GATEWAY_EXITED" not in output
    assert "\tat org.apache" not in output  # no Java stack trace anywhere


@pytest.mark.parametrize("first", [True, False])
def test_starting_line_says_whether_the_metastore_is_new(tmp_path: Path, first: bool) -> None:
    if not first:
        (tmp_path / "metastore_db").mkdir()
    line = jvm_output.starting_line("local[2]", str(tmp_path))
    assert line.startswith("Session mode: starting local Spark 4.")
    assert f"(local[2]) in {tmp_path}" in line
    assert ("(first start creates the metastore)" in line) is first
