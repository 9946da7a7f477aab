"""`method: dbsql` is dbt-databricks unchanged: same credentials, arguments, errors and `open()`.

Every test builds the same profile twice, once with upstream's classes and once with ours, and
compares what they do. Nothing here talks to a network: the one `open()` that gets as far as the
connector is pointed at 127.0.0.1 with a port no socket can have.
"""

from __future__ import annotations

import multiprocessing
from argparse import Namespace
from typing import Any

import pytest
from databricks.sql.exc import Error as ConnectorError
from dbt.adapters.contracts.connection import ConnectionState
from dbt.adapters.databricks import DatabricksAdapter
from dbt.adapters.databricks.connections import (
    DatabricksConnectionManager,
    DatabricksDBTConnection,
)
from dbt.adapters.databricks.credentials import DatabricksCredentials
from dbt.adapters.databricks.handle import SqlUtils
from dbt.config.profile import Profile
from dbt.flags import set_from_args
from dbt_common.exceptions import DbtConfigError, DbtDatabaseError, DbtValidationError

from dbt.adapters.databricks_session import Plugin
from dbt.adapters.databricks_session.connections import DatabricksSessionConnectionManager
from dbt.adapters.databricks_session.credentials import (
    SESSION_ONLY_KEYS,
    DatabricksSessionCredentials,
)
from dbt.adapters.databricks_session.impl import DatabricksSessionAdapter

# The connector's Connection.__del__ trips over the half-built object a failed connect leaves.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

HOST = "dbc-123.cloud.databricks.com"
WAREHOUSE_PATH = "/sql/1.0/warehouses/abc123"
CLUSTER_PATH = "/sql/protocolv1/o/1234567890/0123-456789-abcdef"
SESSION_ONLY = {"method", *SESSION_ONLY_KEYS}

PROFILES: dict[str, dict[str, Any]] = {
    "warehouse_pat": {"host": HOST, "http_path": WAREHOUSE_PATH, "token": "dapi-x", "schema": "s"},
    "cluster_pat": {"host": HOST, "http_path": CLUSTER_PATH, "token": "dapi-x", "schema": "s"},
    "catalog_and_properties": {
        "host": HOST,
        "http_path": WAREHOUSE_PATH,
        "token": "dapi-x",
        "catalog": "main",
        "schema": "s",
        "session_properties": {"spark.sql.ansi.enabled": "true", "QUERY_TAGS": "a:b"},
        "connection_parameters": {"http_headers": {"X-Test": "1"}, "_socket_timeout": 30},
    },
    "catalog_in_session_properties": {
        "host": HOST,
        "http_path": WAREHOUSE_PATH,
        "token": "dapi-x",
        "schema": "s",
        "session_properties": {"databricks.catalog": "main"},
    },
    "oauth_m2m": {
        "host": HOST,
        "http_path": WAREHOUSE_PATH,
        "client_id": "cid",
        "client_secret": "secret",
        "auth_type": "oauth",
        "schema": "s",
    },
    "azure": {
        "host": HOST,
        "http_path": WAREHOUSE_PATH,
        "azure_client_id": "a",
        "azure_client_secret": "b",
        "auth_type": "oauth",
        "schema": "s",
    },
}

INVALID: dict[str, dict[str, Any]] = {
    "no_host": {"http_path": WAREHOUSE_PATH, "token": "t", "schema": "s"},
    "no_http_path": {"host": HOST, "token": "t", "schema": "s"},
    "no_token": {"host": HOST, "http_path": WAREHOUSE_PATH, "schema": "s"},
    "bad_auth_type": {"host": HOST, "http_path": WAREHOUSE_PATH, "auth_type": "pat", "schema": "s"},
    "oidc_without_client_id": {
        "host": HOST,
        "http_path": WAREHOUSE_PATH,
        "auth_type": "env-oidc",
        "schema": "s",
    },
    "secret_without_client_id": {
        "host": HOST,
        "http_path": WAREHOUSE_PATH,
        "token": "t",
        "client_secret": "x",
        "schema": "s",
    },
    "half_azure": {
        "host": HOST,
        "http_path": WAREHOUSE_PATH,
        "token": "t",
        "azure_client_id": "x",
        "schema": "s",
    },
}

INVALID_AT_PARSE: dict[str, dict[str, Any]] = {
    "dotted_schema": {"host": HOST, "http_path": WAREHOUSE_PATH, "schema": "a.b"},
    "reserved_parameter": {
        "host": HOST,
        "http_path": WAREHOUSE_PATH,
        "schema": "s",
        "connection_parameters": {"server_hostname": "x"},
    },
    "blank_catalog": {"host": HOST, "http_path": WAREHOUSE_PATH, "schema": "s", "catalog": " "},
    "duplicate_catalog": {
        "host": HOST,
        "http_path": WAREHOUSE_PATH,
        "schema": "s",
        "catalog": "a",
        "session_properties": {"databricks.catalog": "b"},
    },
}


def both(profile: dict[str, Any]) -> tuple[DatabricksCredentials, DatabricksSessionCredentials]:
    upstream = DatabricksCredentials.from_dict(dict(profile))
    ours = DatabricksSessionCredentials.from_dict({"method": "dbsql", **profile})
    return upstream, ours


def raised(action: Any) -> BaseException:
    with pytest.raises(Exception) as info:
        action()
    return info.value


# -- plugin ------------------------------------------------------------------------------------


def test_plugin_depends_on_databricks_and_has_our_type() -> None:
    assert Plugin.dependencies == ["databricks"]
    assert Plugin.adapter is DatabricksSessionAdapter
    assert Plugin.credentials is DatabricksSessionCredentials
    assert DatabricksSessionAdapter.type() == "databricks_session"
    assert DatabricksSessionConnectionManager.TYPE == "databricks_session"
    assert issubclass(DatabricksSessionAdapter, DatabricksAdapter)
    assert issubclass(DatabricksSessionConnectionManager, DatabricksConnectionManager)
    assert issubclass(DatabricksSessionCredentials, DatabricksCredentials)


def test_auto_detected_dbsql_is_dbsql() -> None:
    profile = PROFILES["warehouse_pat"]
    assert DatabricksSessionCredentials.from_dict(dict(profile)).method == "dbsql"


# -- credentials -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_same_fields_as_upstream(name: str) -> None:
    upstream, ours = both(PROFILES[name])
    ours_dict = {k: v for k, v in ours.to_dict().items() if k not in SESSION_ONLY}
    assert ours_dict == upstream.to_dict()
    assert ours.database == upstream.database
    assert ours.session_properties == upstream.session_properties
    assert ours.connection_parameters == upstream.connection_parameters


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_same_identity_properties_as_upstream(name: str) -> None:
    upstream, ours = both(PROFILES[name])
    assert ours.unique_field == upstream.unique_field
    assert ours.cluster_id == upstream.cluster_id
    assert ours.http_path == upstream.http_path
    assert ours.type == "databricks_session" and upstream.type == "databricks"


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_same_connection_info_plus_method(name: str) -> None:
    upstream, ours = both(PROFILES[name])
    for aliases in (False, True):
        ours_info = list(ours.connection_info(with_aliases=aliases))
        assert ours_info[0] == ("method", "dbsql")
        assert ours_info[1:] == list(upstream.connection_info(with_aliases=aliases))


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_valid_profiles_validate_like_upstream(name: str) -> None:
    upstream, ours = both(PROFILES[name])
    upstream.validate_creds()
    ours.validate_creds()


@pytest.mark.parametrize("name", sorted(INVALID))
def test_same_validation_errors_as_upstream(name: str) -> None:
    upstream, ours = both(INVALID[name])
    expected = raised(upstream.validate_creds)
    actual = raised(ours.validate_creds)
    assert isinstance(expected, DbtConfigError)
    assert type(actual) is type(expected)
    assert str(actual) == str(expected)
    # authenticate() validates first, exactly as upstream's.
    assert str(raised(ours.authenticate)) == str(raised(upstream.authenticate))


@pytest.mark.parametrize("name", sorted(INVALID_AT_PARSE))
def test_same_parse_errors_as_upstream(name: str) -> None:
    profile = INVALID_AT_PARSE[name]
    expected = raised(lambda: DatabricksCredentials.from_dict(dict(profile)))
    actual = raised(lambda: DatabricksSessionCredentials.from_dict({"method": "dbsql", **profile}))
    assert isinstance(expected, DbtValidationError)
    assert type(actual) is type(expected)
    assert str(actual) == str(expected)


@pytest.mark.parametrize("name", sorted(PROFILES))
@pytest.mark.parametrize("query_tags", [None, {"team": "data", "env": "ci"}])
def test_same_connection_arguments_as_upstream(
    name: str, query_tags: dict[str, str] | None
) -> None:
    upstream, ours = both(PROFILES[name])
    upstream_manager, ours_manager = upstream.authenticate(), ours.authenticate()
    assert ours_manager.to_dict() == upstream_manager.to_dict()

    expected = SqlUtils.prepare_connection_arguments(
        upstream, upstream_manager, upstream.http_path or "", query_tags
    )
    actual = SqlUtils.prepare_connection_arguments(
        ours, ours_manager, ours.http_path or "", query_tags
    )
    expected_provider = expected.pop("credentials_provider")
    actual_provider = actual.pop("credentials_provider")
    assert actual == expected
    assert actual["server_hostname"] == HOST
    # The same provider, bound to an equal credential manager (not called: that would log in).
    assert actual_provider.__qualname__ == expected_provider.__qualname__


# -- the connection manager --------------------------------------------------------------------


def connection(creds: DatabricksCredentials) -> DatabricksDBTConnection:
    conn = DatabricksDBTConnection(
        type=creds.type,
        name="test",
        state=ConnectionState.INIT,
        credentials=creds,
        transaction_open=False,
        handle=None,
    )
    conn.http_path = creds.http_path or ""
    return conn


def managers(
    profile: dict[str, Any],
) -> tuple[DatabricksConnectionManager, DatabricksSessionConnectionManager]:
    set_from_args(Namespace(), None)  # a Profile reads the global flags
    upstream, ours = both(profile)
    context = multiprocessing.get_context("spawn")
    return (
        DatabricksConnectionManager(Profile("p", "t", 1, upstream), context),
        DatabricksSessionConnectionManager(Profile("p", "t", 1, ours), context),
    )


def test_open_fails_like_upstream_when_the_host_cannot_be_reached() -> None:
    # Port 99999 does not exist: every client fails before sending a byte, and the failure
    # comes from inside the SQL connector, which only upstream's open() reaches.
    profile = {
        "host": "127.0.0.1:99999",
        "http_path": WAREHOUSE_PATH,
        "token": "dapi-x",
        "schema": "s",
        "connect_retries": 0,
        "connection_parameters": {"_retry_stop_after_attempts_count": 1},
    }
    upstream, ours = both(profile)
    upstream_conn, ours_conn = connection(upstream), connection(ours)
    expected = raised(lambda: DatabricksConnectionManager.open(upstream_conn))
    actual = raised(lambda: DatabricksSessionConnectionManager.open(ours_conn))
    assert type(actual) is type(expected)
    assert isinstance(actual, DbtDatabaseError)
    assert str(actual) == str(expected)
    assert "127.0.0.1:99999" in str(actual)
    assert ours_conn.state == upstream_conn.state == ConnectionState.FAIL
    assert ours_conn.handle is None


def test_open_runs_upstreams_checks_before_connecting() -> None:
    # Upstream's open() refuses http_paths that disagree on the workspace id, before any I/O.
    profile = {
        **PROFILES["warehouse_pat"],
        "http_path": "/sql/1.0/warehouses/abc?o=111",
        "compute": {"other": {"http_path": "/sql/1.0/warehouses/def?o=222"}},
    }
    upstream, ours = both(profile)
    expected = raised(lambda: DatabricksConnectionManager.open(connection(upstream)))
    actual = raised(lambda: DatabricksSessionConnectionManager.open(connection(ours)))
    assert isinstance(expected, DbtConfigError), expected
    assert type(actual) is type(expected)
    assert str(actual) == str(expected)


def test_open_validates_credentials_like_upstream() -> None:
    upstream, ours = both(INVALID["no_host"])
    expected = raised(lambda: DatabricksConnectionManager.open(connection(upstream)))
    actual = raised(lambda: DatabricksSessionConnectionManager.open(connection(ours)))
    assert type(actual) is type(expected)
    assert str(actual) == str(expected)


@pytest.mark.parametrize(
    "error",
    [ConnectorError("[TABLE_OR_VIEW_NOT_FOUND] nope"), ValueError("boom"), RuntimeError()],
    ids=["connector", "value", "empty"],
)
def test_dbsql_exception_handler_is_upstreams(error: Exception) -> None:
    upstream, ours = managers(PROFILES["warehouse_pat"])
    assert not ours.session_mode

    def outcome(manager: DatabricksConnectionManager) -> BaseException:
        def run() -> None:
            with manager.exception_handler("select 1"):
                raise error

        return raised(run)

    expected, actual = outcome(upstream), outcome(ours)
    assert type(actual) is type(expected)
    assert str(actual) == str(expected)


def test_dbsql_capabilities_cache_is_upstreams_keying() -> None:
    # In dbsql mode a SQL warehouse needs no query: upstream caches "all capabilities".
    _, ours = both(PROFILES["warehouse_pat"])
    path = "/sql/1.0/warehouses/unchanged-test"
    DatabricksSessionConnectionManager._cache_dbr_capabilities(ours, path)
    DatabricksConnectionManager._cache_dbr_capabilities(both(PROFILES["warehouse_pat"])[0], path)
    ours_caps = DatabricksSessionConnectionManager._dbr_capabilities_cache[path]
    upstream_caps = DatabricksConnectionManager._dbr_capabilities_cache[path]
    assert vars(ours_caps) == vars(upstream_caps)
    assert ours_caps.is_sql_warehouse
