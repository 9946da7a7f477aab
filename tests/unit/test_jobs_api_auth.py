"""Where Jobs API credentials come from in session mode (real SDK Config, the emulator as host)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from dbt_common.exceptions import DbtConfigError

from dbt.adapters.databricks_session.credentials import DatabricksSessionCredentials
from dbt.adapters.databricks_session.jobs_api import auth
from tests.databricks_emulator import DatabricksEmulator


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "ARM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none"))


@pytest.fixture
def emu() -> Any:
    with DatabricksEmulator(spark_less=True) as emulator:
        yield emulator


def creds(**keys: Any) -> Any:
    return DatabricksSessionCredentials(method="session", schema="s", **keys)


def test_profile_keys_win_over_the_environment(
    emu: DatabricksEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABRICKS_HOST", "http://127.0.0.1:9")
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-not-this-one")
    client = auth.workspace_client(creds(host=emu.url, token=emu.token), "workflow_job")
    assert client.current_user.me().user_name == emu.state.user_name
    assert auth.describe(creds(host=emu.url, token=emu.token)).origin == "profile"


def test_databricks_profile(emu: DatabricksEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path):
    config = tmp_path / "cfg"
    config.write_text(f"[dev]\nhost = {emu.url}\ntoken = {emu.token}\n")
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(config))
    client = auth.workspace_client(creds(databricks_profile="dev"), "job_cluster")
    assert client.current_user.me().user_name == emu.state.user_name


def test_nothing_found_names_what_to_set() -> None:
    with pytest.raises(DbtConfigError) as info:
        auth.workspace_client(creds(), "serverless_cluster")
    message = str(info.value)
    assert "submission_method 'serverless_cluster'" in message
    assert "DATABRICKS_HOST with DATABRICKS_TOKEN" in message and "databricks_profile" in message


def test_describe_never_shows_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABRICKS_HOST", "https://x")
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-secret")
    described = auth.describe(creds())
    assert described.origin == "sdk default chain"
    assert "DATABRICKS_TOKEN" in described.detail and "dapi-secret" not in described.detail
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "15.4")
    assert "runtime" in auth.describe(creds()).detail
