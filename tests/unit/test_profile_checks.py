"""Malformed `databricks_session` profiles: one clear error naming the key and the fix each, and
a warning (with the nearest valid key) for an unknown key that changes nothing about where data
goes. Every case goes through dbt's own order: `validate(data)`, then `from_dict(data)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from dbt_common.exceptions import DbtRuntimeError, DbtValidationError

from dbt.adapters.databricks_session import profile_checks
from dbt.adapters.databricks_session.credentials import DatabricksSessionCredentials
from dbt.adapters.databricks_session.spark.local_dir import ensure_local_dir

SESSION = {"method": "session", "schema": "analytics"}
HOST = "h.cloud.databricks.com"
DBSQL = {"method": "dbsql", "host": HOST, "http_path": "/sql/1.0/x", "schema": "s"}


def build(profile: dict[str, Any]) -> DatabricksSessionCredentials:
    """What dbt's Profile does with a target (after popping `type` and `threads`)."""
    data = DatabricksSessionCredentials.translate_aliases(dict(profile))
    DatabricksSessionCredentials.validate(data)
    return DatabricksSessionCredentials.from_dict(data)


def error_of(profile: dict[str, Any]) -> str:
    with pytest.raises(DbtValidationError) as info:
        build(profile)
    message = str(info.value)
    assert "is not valid under any of the given schemas" not in message
    return message


# -- unknown keys ------------------------------------------------------------------------------


def test_typo_of_a_local_spark_key_warns_with_the_nearest_key(
    warnings_seen: list[str],
) -> None:
    creds = build({**SESSION, "spark_mastr": "local[1]"})
    assert creds.spark_master is None
    out = "\n".join(warnings_seen)
    assert "Profile key `spark_mastr` is unknown" in out
    assert "did you mean `spark_master`?" in out


def test_unknown_key_without_a_near_key_warns_without_a_guess(
    warnings_seen: list[str],
) -> None:
    build({**SESSION, "zzqx": 1})
    out = "\n".join(warnings_seen)
    assert "Profile key `zzqx` is unknown" in out
    assert "did you mean" not in out


@pytest.mark.parametrize(
    ("profile", "typo", "meant"),
    [
        ({**SESSION, "catalgo": "main"}, "catalgo", "catalog"),
        ({"method": "session", "shema": "analytics"}, "shema", "schema"),
        ({**SESSION, "spark_local_dri": "/tmp/x"}, "spark_local_dri", "spark_local_dir"),
        ({**SESSION, "spark_remot": "sc://localhost:15002"}, "spark_remot", "spark_remote"),
        ({"schema": "analytics", "metod": "session"}, "metod", "method"),
        ({**DBSQL, "http_path": None, "htpp_path": "/sql/1.0/x"}, "htpp_path", "http_path"),
    ],
    ids=["catalog", "schema", "spark_local_dir", "spark_remote", "method", "dbsql-http_path"],
)
def test_typo_of_a_key_deciding_where_data_goes_is_an_error(
    profile: dict[str, Any], typo: str, meant: str
) -> None:
    profile = {key: value for key, value in profile.items() if value is not None}
    message = error_of(profile)
    assert f"Unknown profile key `{typo}`: did you mean `{meant}`?" in message
    assert "profiles.yml" in message


def test_typo_beside_the_real_key_only_warns(warnings_seen: list[str]) -> None:
    creds = build({**SESSION, "catalog": "main", "catalgo": "other"})
    assert creds.database == "main"
    assert "`catalgo` is unknown" in "\n".join(warnings_seen)


def test_known_keys_follow_the_credentials_fields() -> None:
    @dataclass
    class WithNewField(DatabricksSessionCredentials):
        local_warehouse_flavour: str | None = None

    known = profile_checks.known_keys(WithNewField)
    assert "local_warehouse_flavour" in known
    assert {"spark_master", "catalog", "local_table_format", "session_properties"} <= known
    assert "local_warehouse_flavour" not in profile_checks.known_keys(DatabricksSessionCredentials)
    # The nearest valid key comes from the same fields.
    assert profile_checks.nearest("local_warehouse_flavor", known) == "local_warehouse_flavour"


def test_valid_profiles_say_nothing(warnings_seen: list[str]) -> None:
    build({**SESSION, "catalog": "main", "spark_master": "local[2]", "spark_conf": {}})
    build({**DBSQL, "token": "dapi-x", "connect_retries": 0, "connect_timeout": 5})
    assert "unknown" not in "\n".join(warnings_seen)


# -- malformed values --------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["session_properties", "spark_conf"])
def test_mapping_given_as_text_names_the_key_and_the_form(key: str) -> None:
    message = error_of({**SESSION, key: "spark.sql.ansi.enabled=true"})
    assert f"`{key}` must be a mapping of Spark settings" in message
    assert "it is text: 'spark.sql.ansi.enabled=true'" in message
    assert f"Write it as\n    {key}:\n      spark.sql.shuffle.partitions: 8" in message


def test_mapping_given_as_a_list() -> None:
    message = error_of({**SESSION, "spark_conf": ["spark.driver.memory=4g"]})
    assert "`spark_conf` must be a mapping" in message and "it is list" in message


def test_nested_setting_value() -> None:
    message = error_of({**SESSION, "session_properties": {"spark.sql": {"ansi.enabled": True}}})
    assert "`session_properties.spark.sql` must be a single value" in message


def test_a_secret_given_as_text_is_not_echoed() -> None:
    message = error_of({**SESSION, "spark_conf": "spark.hadoop.fs.s3a.secret.key=abc"})
    assert "`spark_conf` must be a mapping" in message


@pytest.mark.parametrize("master", ["locl[2]", "local[0]", "local[two]", "mesos://h:1", ""])
def test_bad_spark_master(master: str) -> None:
    message = error_of({**SESSION, "spark_master": master})
    assert f"`spark_master: {master}` is not a Spark master" in message
    assert "`local[*]`" in message and "`local[N]`" in message


@pytest.mark.parametrize(
    "master", ["local", "local[*]", "local[4]", "local[2,3]", "local[*, 2]", "spark://h:7077"]
)
def test_spark_masters_spark_accepts(master: str) -> None:
    assert build({**SESSION, "spark_master": master}).spark_master == master


@pytest.mark.parametrize(
    "key", ["spark.driver.memory", "spark.executor.memory", "spark.driver.maxResultSize"]
)
def test_memory_that_is_not_a_size(key: str) -> None:
    message = error_of({**SESSION, "spark_conf": {key: "lots"}})
    assert f"`spark_conf.{key}: lots` is not a size" in message
    assert "`4g`" in message


@pytest.mark.parametrize("size", ["4g", "512m", "1024", "2gb", "8G"])
def test_memory_sizes_java_accepts(size: str) -> None:
    build({**SESSION, "spark_conf": {"spark.driver.memory": size}})


def test_spark_conf_key_spark_would_ignore() -> None:
    message = error_of({**SESSION, "spark_conf": {"driver.memory": "4g"}})
    assert "`spark_conf` key `driver.memory` does not start with `spark.`" in message
    assert "Did you mean `spark.driver.memory`?" in message


def test_from_dict_alone_checks_values_too() -> None:
    # Credentials built without dbt's validate() (tests, dbt-core's own re-checks).
    with pytest.raises(DbtValidationError, match="`spark_master: locl` is not a Spark master"):
        DatabricksSessionCredentials.from_dict({**SESSION, "spark_master": "locl"})


# -- spark_local_dir ---------------------------------------------------------------------------


def test_local_dir_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(DbtRuntimeError) as info:
        ensure_local_dir(str(tmp_path / "file" / "spark"))
    message = str(info.value)
    assert f"{tmp_path / 'file'} is a file, not a directory" in message
    assert "Point `spark_local_dir` in the profile at a writable directory" in message
    assert "Errno" not in message


def test_local_dir_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(DbtRuntimeError, match="`spark_local_dir` .* it is a file"):
        ensure_local_dir(str(tmp_path / "file"))


def test_local_dir_that_cannot_be_created() -> None:
    # Not even root can create directories in /proc.
    with pytest.raises(DbtRuntimeError, match="`spark_local_dir` /proc/dbt-test/spark cannot"):
        ensure_local_dir("/proc/dbt-test/spark")


def test_local_dir_is_created(tmp_path: Path) -> None:
    assert ensure_local_dir(str(tmp_path / "a" / "b")) == str(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()
