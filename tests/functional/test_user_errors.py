"""Errors a user can cause before any model runs: one clear dbt message each, no traceback.

Each case runs dbt in a child process, because what it breaks (the Python path, Java, the local
metastore) is process-wide.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from dbt.cli.main import dbtRunner

DBT = [sys.executable, "-c", "from dbt.cli.main import cli; cli()"]


def write_project(root: Path, profile: dict[str, str]) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "models" / "one.sql").write_text("select 1 as id\n")
    (root / "dbt_project.yml").write_text(
        "name: errors\nversion: '1.0'\nconfig-version: 2\nprofile: errors\n"
    )
    lines = "\n".join(f"      {key}: {value}" for key, value in profile.items())
    (root / "profiles.yml").write_text(
        f"errors:\n  target: t\n  outputs:\n    t:\n      type: databricks_session\n{lines}\n"
    )
    return root


def run_dbt_process(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    command = [*DBT, *args, "--project-dir", str(project), "--profiles-dir", str(project)]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def clean_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "PYTHONPATH")}
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env.update(overrides)
    return env


def assert_one_clear_error(result: subprocess.CompletedProcess, *words: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for word in words:
        assert word in output, f"{word!r} not in:\n{output}"
    assert "Traceback (most recent call last)" not in output, output


SESSION = {"method": "session", "schema": "errs", "threads": "1"}


def test_unknown_method(tmp_path: Path) -> None:
    project = write_project(tmp_path, {**SESSION, "method": "warehouse"})
    result = run_dbt_process(project, clean_env(), "debug")
    assert_one_clear_error(result, "Unknown `method: warehouse`", "method: session")


def test_missing_schema(tmp_path: Path) -> None:
    project = write_project(tmp_path, {"method": "session", "threads": "1"})
    result = run_dbt_process(project, clean_env(), "run")
    assert_one_clear_error(result, "`schema` is required")


def test_pyspark_missing_names_the_extra(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker" / "pyspark"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('No module named pyspark')\n")
    project = write_project(tmp_path / "p", SESSION)
    env = clean_env(PYTHONPATH=str(tmp_path / "blocker"))
    result = run_dbt_process(project, env, "run")
    assert_one_clear_error(result, "needs pyspark", "dbt-databricks-session[local]")


def test_java_missing(tmp_path: Path) -> None:
    project = write_project(tmp_path, SESSION)
    bin_dir = str(Path(sys.executable).parent)
    result = run_dbt_process(project, clean_env(PATH=f"{bin_dir}:/nonexistent"), "run")
    assert_one_clear_error(result, "needs Java 17 or newer", "no `java` was found")


def test_java_too_old(tmp_path: Path) -> None:
    fake_home = tmp_path / "jdk11"
    (fake_home / "bin").mkdir(parents=True)
    java = fake_home / "bin" / "java"
    java.write_text(
        textwrap.dedent(
            """\
            #!/bin/sh
            echo 'openjdk version "11.0.21" 2023-10-17' >&2
            """
        )
    )
    java.chmod(0o755)
    project = write_project(tmp_path / "p", SESSION)
    result = run_dbt_process(project, clean_env(JAVA_HOME=str(fake_home)), "run")
    assert_one_clear_error(result, "needs Java 17 or newer", "Java 11")


def test_second_process_on_the_same_metastore(
    tmp_path: Path, spark: Any, spark_local_dir: str
) -> None:
    # This test process holds the Derby metastore in spark_local_dir (the shared session).
    project = write_project(
        tmp_path, {**SESSION, "spark_master": "'local[1]'", "spark_local_dir": spark_local_dir}
    )
    result = run_dbt_process(project, clean_env(), "run")
    assert_one_clear_error(result, "is in use by another process", "spark_local_dir")


@pytest.mark.parametrize("catalog", ["hive_metastore", "main"])
def test_catalog_missing_on_open_source_spark(
    tmp_path: Path, spark: Any, spark_local_dir: str, catalog: str
) -> None:
    # In-process on the shared session: the error comes when a connection opens.
    profile = {**SESSION, "catalog": catalog, "spark_local_dir": spark_local_dir}
    project = write_project(tmp_path, {**profile, "spark_master": "'local[2]'"})
    args = ["run", "--project-dir", str(project), "--profiles-dir", str(project)]
    result = dbtRunner().invoke(args)
    assert not result.success
    # The first connection (dbt's cache warm-up) fails, which ends the invocation.
    message = str(result.exception)
    assert f"catalog `{catalog}`" in message and "spark_catalog" in message, message
