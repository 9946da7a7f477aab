"""`dbt init` offers a databricks_session profile (profile_template.yml) that builds a project.

`dbt init` lists adapters by globbing the installed `dbt/adapters/*/__version__.py`, which an
editable install of this checkout is not part of: the CI step that installs the built wheel
(`.ci/wheel-check`) runs the whole `dbt init` dialogue. Here the starter project comes from a
real `dbt init --skip-profile-setup`, and the profile from dbt-core's own `InitTask` reading
our template with the answers on stdin, as `dbt init` does once the adapter is chosen.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from argparse import Namespace
from pathlib import Path
from typing import Any

import pytest
import yaml
from dbt.adapters.factory import get_include_paths, load_plugin
from dbt.cli.main import dbtRunner
from dbt.flags import get_flags, set_from_args
from dbt.task.init import InitTask

from dbt.adapters.databricks_session import Plugin

DBT = [sys.executable, "-c", "from dbt.cli.main import cli; cli()"]


def starter_project(root: Path) -> Path:
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [*DBT, "init", "starter", "--skip-profile-setup", "--profiles-dir", str(root)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "starter"


def answer_init(monkeypatch: pytest.MonkeyPatch, profiles_dir: Path, answers: list[str]) -> Any:
    """dbt init's profile step for databricks_session; returns the written profile."""
    set_from_args(Namespace(profiles_dir=str(profiles_dir)), None)
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    InitTask(get_flags()).create_profile_from_target("databricks_session", "starter")
    return yaml.safe_load((profiles_dir / "profiles.yml").read_text())["starter"]


def test_the_template_is_in_the_include_path() -> None:
    load_plugin("databricks_session")
    template = Path(get_include_paths("databricks_session")[0]) / "profile_template.yml"
    assert template.parent == Path(Plugin.include_path)
    data = yaml.safe_load(template.read_text())
    assert data["fixed"] == {"type": "databricks_session"}
    methods = data["prompts"]["_choose_method"]
    assert [option["_fixed_method"] for option in methods.values()] == ["session", "dbsql"]


def test_dbt_init_writes_a_session_profile_that_builds(
    tmp_path: Path, spark: Any, spark_local_dir: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = starter_project(tmp_path)
    schema = f"init_{uuid.uuid4().hex[:8]}"
    # method [1] session, schema, threads (the default).
    profile = answer_init(monkeypatch, tmp_path, ["1", schema, ""])
    assert profile["target"] == "dev"
    assert profile["outputs"]["dev"] == {
        "type": "databricks_session",
        "method": "session",
        "schema": schema,
        "threads": 4,
    }

    # The starter project runs with that profile (on this process's Spark; its own data test
    # fails by design: my_first_dbt_model has a null id until the user edits it).
    profile["outputs"]["dev"]["spark_local_dir"] = spark_local_dir
    (tmp_path / "profiles.yml").write_text(yaml.safe_dump({"starter": profile}))
    try:
        built = dbtRunner().invoke(
            ["run", "--project-dir", str(project), "--profiles-dir", str(tmp_path)]
        )
        assert built.success, built.exception
        statuses = {r.node.unique_id: str(r.status) for r in built.result.results}
        assert statuses["model.starter.my_first_dbt_model"] == "success"
        assert statuses["model.starter.my_second_dbt_model"] == "success"
    finally:
        spark.sql(f"drop schema if exists {schema} cascade")


def test_dbt_init_dbsql_variant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = ["2", "adb-1.azuredatabricks.net", "/sql/1.0/warehouses/abc", "dapi-x"]
    profile = answer_init(monkeypatch, tmp_path, [*answers, "main", "analytics", "2"])
    assert profile["outputs"]["dev"] == {
        "type": "databricks_session",
        "method": "dbsql",
        "host": "adb-1.azuredatabricks.net",
        "http_path": "/sql/1.0/warehouses/abc",
        "token": "dapi-x",
        "catalog": "main",
        "schema": "analytics",
        "threads": 2,
    }
