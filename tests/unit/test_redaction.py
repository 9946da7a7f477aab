"""Secret-looking values never reach `dbt debug`'s connection info (both methods)."""

from __future__ import annotations

from typing import Any

import pytest

from dbt.adapters.databricks_session.credentials import DatabricksSessionCredentials
from dbt.adapters.databricks_session.redaction import REDACTED, redact_text, redact_value

PAT = "dapi0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    "key",
    [
        "spark.hadoop.fs.s3a.secret.key",
        "spark.hadoop.fs.s3a.access.key",
        "spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net",
        "spark.hadoop.fs.azure.sas.container.acct.blob.core.windows.net",
        "spark.myapp.auth.token",
        "spark.hadoop.javax.jdo.option.ConnectionPassword",
        "spark.hadoop.google.cloud.auth.service.account.json.keyfile.credential",
        "spark.hadoop.fs.gs.auth.service.account.private.key.id",
        "api_key",
    ],
)
def test_secret_keys_are_hidden(key: str) -> None:
    assert redact_value("spark_conf", {key: "value", "spark.sql.ansi.enabled": "true"}) == {
        key: REDACTED,
        "spark.sql.ansi.enabled": "true",
    }


@pytest.mark.parametrize(
    "key", ["spark.sql.shuffle.partitions", "spark.driver.memory", "spark.sql.keyword.case"]
)
def test_ordinary_settings_are_shown(key: str) -> None:
    assert redact_value("spark_conf", {key: "8"}) == {key: "8"}


def test_credential_values_are_hidden_under_any_key() -> None:
    assert redact_value("x", {"header": f"Bearer {PAT}"}) == {"header": f"Bearer {REDACTED}"}
    assert redact_text("sc://h:1/;user_id=u;token=abc") == f"sc://h:1/;user_id=u;token={REDACTED}"
    nested = {"http_headers": {"Authorization": "Bearer abc", "X-Trace": "1"}}
    assert redact_value("connection_parameters", nested) == {
        "http_headers": {"Authorization": REDACTED, "X-Trace": "1"}
    }


@pytest.mark.parametrize(
    "profile",
    [
        {"method": "session", "schema": "s"},
        {"method": "dbsql", "host": "h", "http_path": "/sql/1.0/x", "token": "t", "schema": "s"},
    ],
    ids=["session", "dbsql"],
)
def test_connection_info_hides_secrets(profile: dict[str, Any]) -> None:
    properties = {"spark.myapp.token": "s3cr3t", "spark.sql.ansi.enabled": "true"}
    extra: dict[str, Any] = {"session_properties": properties}
    if profile["method"] == "session":
        extra["spark_conf"] = {"spark.hadoop.fs.s3a.secret.key": "s3cr3t"}
    creds = DatabricksSessionCredentials.from_dict({**profile, **extra})
    for aliases in (False, True):
        info = dict(creds.connection_info(with_aliases=aliases))
        assert "s3cr3t" not in repr(info)
        assert info["session_properties"] == {
            "spark.myapp.token": REDACTED,
            "spark.sql.ansi.enabled": "true",
        }
    # The credentials themselves keep the real values: only what is shown is redacted.
    assert creds.session_properties == properties
