"""What `dbt debug` and `dbt run` tell a user about their profile: unknown keys (with the nearest
valid key) as warnings, and never a secret, on the console or in logs/dbt.log.

Real in-process dbt invocations on the test process's one local Spark (the `spark` fixture).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from dbt.cli.main import dbtRunner

SECRET_CONF = "conf-s3cr3t-value"
SECRET_PROPERTY = "property-s3cr3t-value"
PAT = "dapi0123456789abcdef0123456789abcdef"


def write_project(root: Path, output: dict[str, Any]) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "models" / "one.sql").write_text("select 1 as id\n")
    (root / "dbt_project.yml").write_text(
        "name: feedback\nversion: '1.0'\nconfig-version: 2\nprofile: feedback\n"
    )
    profile = {"feedback": {"target": "t", "outputs": {"t": output}}}
    (root / "profiles.yml").write_text(yaml.safe_dump(profile))
    return root


@pytest.fixture
def project(tmp_path: Path, spark: Any, spark_local_dir: str) -> Any:
    schema = f"feedback_{uuid.uuid4().hex[:8]}"
    output = {
        "type": "databricks_session",
        "method": "session",
        "schema": schema,
        "threads": 1,
        "spark_master": "local[2]",
        "spark_local_dir": spark_local_dir,
        "spark_mastr": "local[1]",  # the typo
        "spark_conf": {
            "spark.hadoop.fs.s3a.secret.key": SECRET_CONF,
            "spark.sql.shuffle.partitions": 2,
        },
        "session_properties": {
            "spark.myapp.auth.token": SECRET_PROPERTY,
            "spark.myapp.header": f"Bearer {PAT}",
            "spark.sql.ansi.enabled": "true",
        },
    }
    yield write_project(tmp_path / "feedback", output)
    spark.sql(f"drop schema if exists {schema} cascade")


def invoke(project: Path, *args: str) -> tuple[Any, list[str]]:
    messages: list[str] = []
    runner = dbtRunner(callbacks=[lambda event: messages.append(event.info.msg)])
    log_path = project / "logs"
    result = runner.invoke(
        [*args, "--project-dir", str(project), "--profiles-dir", str(project)]
        + ["--log-path", str(log_path), "--log-level-file", "debug"]
    )
    return result, messages


def assert_no_secret(text: str) -> None:
    for secret in (SECRET_CONF, SECRET_PROPERTY, PAT):
        assert secret not in text, f"{secret} printed or logged"


def test_debug_warns_about_the_typo_and_shows_no_secret(project: Path) -> None:
    result, messages = invoke(project, "debug")
    assert result.success, messages
    console = "\n".join(messages)
    assert "Profile key `spark_mastr` is unknown" in console
    assert "did you mean `spark_master`?" in console
    # The settings are shown, their secrets are not.
    assert "spark.hadoop.fs.s3a.secret.key" in console
    assert "<redacted>" in console
    assert "spark.sql.ansi.enabled" in console
    assert_no_secret(console)
    # The test process's Spark runs without its UI: dbt debug says how to open it.
    assert "Spark UI: off (local Spark starts without it; set `spark_conf: {spark.ui.enabled:" in (
        console
    )
    log = (project / "logs" / "dbt.log").read_text()
    assert "Profile key `spark_mastr` is unknown" in log
    assert_no_secret(log)


def test_run_warns_at_start_and_logs_no_secret(project: Path) -> None:
    result, messages = invoke(project, "run")
    assert result.success, messages
    warning = next(i for i, m in enumerate(messages) if "`spark_mastr` is unknown" in m)
    first_model = next(i for i, m in enumerate(messages) if "START sql view model" in m)
    assert warning < first_model
    assert_no_secret("\n".join(messages))
    assert_no_secret((project / "logs" / "dbt.log").read_text())
