"""`DatabricksSessionCredentials`: method selection, session defaults, validation, `dbt debug`."""

from __future__ import annotations

from typing import Any

import pytest
from dbt_common.exceptions import DbtConfigError, DbtValidationError

from dbt.adapters.databricks_session.credentials import DatabricksSessionCredentials

HOST = "dbc-123.cloud.databricks.com"
CLUSTER_PATH = "/sql/protocolv1/o/1234567890/0123-456789-abcdef"
WAREHOUSE_PATH = "/sql/1.0/warehouses/abc123"


def creds(**values: Any) -> DatabricksSessionCredentials:
    return DatabricksSessionCredentials.from_dict(values)


def session(**values: Any) -> DatabricksSessionCredentials:
    return creds(method="session", schema="analytics", **values)


def dbsql(**values: Any) -> DatabricksSessionCredentials:
    profile = {"host": HOST, "http_path": WAREHOUSE_PATH, "token": "dapi-secret", "schema": "s"}
    return creds(method="dbsql", **{**profile, **values})


# -- method ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["session", "dbsql"])
def test_explicit_method_is_kept(method: str) -> None:
    c = creds(method=method, schema="s", host=HOST, http_path=WAREHOUSE_PATH, token="t")
    assert c.method == method
    assert c.is_session is (method == "session")


@pytest.mark.parametrize("spelling", ["SESSION", " Session "])
def test_method_is_case_and_space_insensitive(spelling: str) -> None:
    assert creds(method=spelling, schema="s").method == "session"


@pytest.mark.parametrize("method", ["sessions", "http", "thrift", "odbc", "local"])
def test_unknown_method_names_the_valid_methods(method: str) -> None:
    with pytest.raises(DbtValidationError) as info:
        creds(method=method, schema="s")
    message = str(info.value)
    assert f"method: {method}" in message
    assert "`method: session`" in message
    assert "`method: dbsql`" in message


def test_session_without_schema_is_a_clear_error() -> None:
    with pytest.raises(DbtValidationError) as info:
        creds(method="session")
    message = str(info.value)
    assert "`schema` is required" in message
    assert "method: session" in message


def test_session_schema_with_a_dot_keeps_upstreams_error() -> None:
    with pytest.raises(DbtValidationError, match="should not contain '.'"):
        creds(method="session", schema="cat.sch")


# -- catalog defaults --------------------------------------------------------------------------


def test_session_catalog_defaults_to_spark_catalog_off_runtime() -> None:
    assert session().database == "spark_catalog"


def test_session_catalog_defaults_to_hive_metastore_on_a_runtime(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "15.4")
    assert session().database == "hive_metastore"


@pytest.mark.parametrize("runtime", [None, "15.4"])
def test_explicit_catalog_is_kept(monkeypatch: pytest.MonkeyPatch, runtime: str | None) -> None:
    if runtime:
        monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", runtime)
    assert session(catalog="main").database == "main"
    assert session(database="other").database == "other"


def test_catalog_from_session_properties_is_used_and_removed() -> None:
    c = session(session_properties={"databricks.catalog": "main", "spark.sql.ansi.enabled": "true"})
    assert c.database == "main"
    assert c.session_properties == {"spark.sql.ansi.enabled": "true"}


def test_catalog_twice_is_upstreams_duplicate_error() -> None:
    with pytest.raises(DbtValidationError, match="duplicate keys"):
        session(catalog="a", session_properties={"databricks.catalog": "b"})


def test_dbsql_catalog_default_is_upstreams_hive_metastore() -> None:
    assert dbsql().database == "hive_metastore"


# -- auto-detection ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["true", "TRUE", " True "])
def test_session_mode_env_selects_session(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("DBT_DATABRICKS_SESSION_MODE", value)
    assert creds(schema="s").method == "session"
    # The env var asks for session mode even when a host is configured.
    assert creds(schema="s", host=HOST, http_path=WAREHOUSE_PATH, token="t").method == "session"


@pytest.mark.parametrize("value", ["false", "0", "", "yes"])
def test_session_mode_env_other_values_do_not_select_session(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DBT_DATABRICKS_SESSION_MODE", value)
    assert creds(schema="s", host=HOST, http_path=WAREHOUSE_PATH, token="t").method == "dbsql"


def test_runtime_without_host_selects_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "15.4")
    c = creds(schema="s")
    assert c.method == "session"
    assert c.database == "hive_metastore"


def test_runtime_with_host_selects_dbsql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "15.4")
    c = creds(schema="s", host=HOST, http_path=WAREHOUSE_PATH, token="t")
    assert c.method == "dbsql"
    assert c.host == HOST


def test_nothing_set_selects_dbsql() -> None:
    assert creds(schema="s").method == "dbsql"
    assert creds(schema="s", host=HOST, http_path=WAREHOUSE_PATH, token="t").method == "dbsql"


def test_explicit_method_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_DATABRICKS_SESSION_MODE", "true")
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "15.4")
    assert dbsql().method == "dbsql"
    monkeypatch.delenv("DBT_DATABRICKS_SESSION_MODE")
    monkeypatch.delenv("DATABRICKS_RUNTIME_VERSION")
    assert creds(method="session", schema="s", host=HOST).method == "session"


# -- properties upstream hard-codes ------------------------------------------------------------


def test_type_is_ours_in_both_modes() -> None:
    assert session().type == "databricks_session"
    assert dbsql().type == "databricks_session"


def test_session_unique_field_is_never_none() -> None:
    c = session()
    assert c.host is None
    assert isinstance(c.unique_field, str) and c.unique_field
    # Different catalogs are different targets for usage tracking.
    assert session(catalog="main").unique_field != c.unique_field


def test_dbsql_unique_field_is_the_host() -> None:
    assert dbsql().unique_field == HOST


def test_session_cluster_id_is_none_and_http_path_is_a_string() -> None:
    c = session()
    assert c.cluster_id is None
    assert c.http_path == ""
    # Even an http_path left in the profile names no cluster in session mode.
    assert session(http_path=CLUSTER_PATH).cluster_id is None


def test_dbsql_cluster_id_comes_from_the_http_path() -> None:
    assert dbsql(http_path=CLUSTER_PATH).cluster_id == "0123-456789-abcdef"
    assert dbsql().cluster_id is None


# -- validate_creds ----------------------------------------------------------------------------


def test_session_validate_creds_needs_no_host_token_or_http_path() -> None:
    c = session()
    assert c.host is None and c.token is None
    c.validate_creds()


def test_session_authenticate_does_not_demand_a_host() -> None:
    session().authenticate()


@pytest.mark.parametrize("missing", ["host", "http_path"])
def test_dbsql_validate_creds_still_requires_host_and_http_path(missing: str) -> None:
    c = dbsql(**{missing: None})
    with pytest.raises(DbtConfigError, match=f"The config '{missing}' is required"):
        c.validate_creds()


def test_dbsql_validate_creds_still_requires_a_token_or_oauth() -> None:
    with pytest.raises(DbtConfigError, match="auth_type"):
        dbsql(token=None).validate_creds()
    dbsql(token=None, auth_type="oauth").validate_creds()
    dbsql().validate_creds()


# -- dbt debug ---------------------------------------------------------------------------------


def test_session_connection_info_for_dbt_debug() -> None:
    info = dict(session().connection_info())
    assert list(info) == ["method", "catalog", "schema"]
    assert info == {"method": "session", "catalog": "spark_catalog", "schema": "analytics"}


def test_session_connection_info_shows_local_spark_keys_only_when_set() -> None:
    c = session(
        spark_master="local[1]",
        spark_local_dir="/tmp/spark",
        spark_conf={"spark.sql.shuffle.partitions": 4},
        session_properties={"spark.sql.ansi.enabled": "true"},
    )
    info = dict(c.connection_info())
    assert "host" not in info and "http_path" not in info
    assert info["method"] == "session"
    assert info["spark_master"] == "local[1]"
    assert info["spark_local_dir"] == "/tmp/spark"
    assert info["spark_conf"] == {"spark.sql.shuffle.partitions": 4}
    assert info["session_properties"] == {"spark.sql.ansi.enabled": "true"}


def test_spark_remote_is_shown_without_its_token() -> None:
    c = session(spark_remote="sc://h:15002/;user_id=me;token=abc123;use_ssl=true")
    info = dict(c.connection_info())
    assert info["spark_remote"] == "sc://h:15002/;user_id=me;token=<redacted>;use_ssl=true"
    assert "abc123" not in repr(list(c.connection_info(with_aliases=True)))


def test_session_connection_info_with_aliases_has_database() -> None:
    keys = [key for key, _ in session().connection_info(with_aliases=True)]
    assert "database" in keys
    assert "host" not in keys


def test_dbsql_connection_info_is_upstreams_plus_method() -> None:
    info = list(dbsql().connection_info())
    assert info == [
        ("method", "dbsql"),
        ("host", HOST),
        ("http_path", WAREHOUSE_PATH),
        ("catalog", "hive_metastore"),
        ("schema", "s"),
    ]
    assert "token" not in dict(dbsql().connection_info(with_aliases=True))
