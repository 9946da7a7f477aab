"""`dbt init` offers a databricks_session profile (profile_template.yml) that builds a project.

`dbt init` runs as a user runs it, in a child process answering its prompts on stdin; the starter
project it creates is then built in-process on the test process's one local Spark.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import yaml
from dbt.adapters.factory import get_include_paths
from dbt.cli.main import dbtRunner

from dbt.adapters.databricks_session import Plugin

DBT = [sys.executable, "-c", "from dbt.cli.main import cli; cli()"]


def adapter_number(output: str) -> int:
    """The number `dbt init` shows for databricks_session in its adapter list."""
    for line in output.splitlines():
        if line.strip().endswith("] databricks_session"):
            return int(line.strip()[1 : line.strip().index("]")])
    raise AssertionError(f"databricks_session not offered:\n{output}")


def offered_number(probe_dir: Path) -> int:
    """A first run without answers shows the adapter list (and then stops at the prompt)."""
    probe_dir.mkdir()
    shown = init(probe_dir, [])
    return adapter_number(shown.stdout + shown.stderr)


def init(cwd: Path, answers: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(
        [*DBT, "init", "starter", "--profiles-dir", str(cwd)],
        cwd=cwd,
        input="\n".join(answers) + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_template_is_in_the_include_path() -> None:
    template = Path(get_include_paths("databricks_session")[0]) / "profile_template.yml"
    assert template.parent == Path(Plugin.include_path)
    data = yaml.safe_load(template.read_text())
    assert data["fixed"] == {"type": "databricks_session"}
    methods = data["prompts"]["_choose_method"]
    assert [option["_fixed_method"] for option in methods.values()] == ["session", "dbsql"]


def test_dbt_init_writes_a_session_profile_that_builds(
    tmp_path: Path, spark: Any, spark_local_dir: str
) -> None:
    number = offered_number(tmp_path / "probe")

    schema = f"init_{uuid.uuid4().hex[:8]}"
    # adapter, method [1] session, schema, threads (default).
    result = init(tmp_path, [str(number), "1", schema, ""])
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "No sample profile found" not in output
    profile = yaml.safe_load((tmp_path / "profiles.yml").read_text())["starter"]
    assert profile["target"] == "dev"
    assert profile["outputs"]["dev"] == {
        "type": "databricks_session",
        "method": "session",
        "schema": schema,
        "threads": 4,
    }

    # The starter project builds with that profile (on this process's Spark).
    project = tmp_path / "starter"
    profile["outputs"]["dev"]["spark_local_dir"] = spark_local_dir
    (tmp_path / "profiles.yml").write_text(yaml.safe_dump({"starter": profile}))
    try:
        built = dbtRunner().invoke(
            ["build", "--project-dir", str(project), "--profiles-dir", str(tmp_path)]
        )
        assert built.success, built.exception
        statuses = {r.node.unique_id: str(r.status) for r in built.result.results}
        assert statuses["model.starter.my_first_dbt_model"] == "success"
        assert statuses["model.starter.my_second_dbt_model"] == "success"
    finally:
        spark.sql(f"drop schema if exists {schema} cascade")


def test_dbt_init_dbsql_variant(tmp_path: Path) -> None:
    number = offered_number(tmp_path / "probe")
    answers = [str(number), "2", "adb-1.azuredatabricks.net", "/sql/1.0/warehouses/abc"]
    result = init(tmp_path, [*answers, "dapi-x", "main", "analytics", "2"])
    assert result.returncode == 0, result.stdout + result.stderr
    dev = yaml.safe_load((tmp_path / "profiles.yml").read_text())["starter"]["outputs"]["dev"]
    assert dev == {
        "type": "databricks_session",
        "method": "dbsql",
        "host": "adb-1.azuredatabricks.net",
        "http_path": "/sql/1.0/warehouses/abc",
        "token": "dapi-x",
        "catalog": "main",
        "schema": "analytics",
        "threads": 2,
    }
