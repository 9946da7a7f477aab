"""Connection manager: `method: dbsql` is upstream's; `method: session` opens a Spark session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.context import SpawnContext
from typing import Any, cast

from dbt.adapters.contracts.connection import AdapterRequiredConfig, Connection, ConnectionState
from dbt.adapters.databricks.connections import DatabricksConnectionManager, DatabricksDBTConnection
from dbt.adapters.databricks.dbr_capabilities import DBRCapabilities
from dbt.adapters.databricks.events.other_events import QueryError
from dbt.adapters.databricks.logging import logger
from dbt.adapters.databricks.utils import redact_credentials
from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.databricks_session.capabilities import SessionCapabilities
from dbt.adapters.databricks_session.credentials import DatabricksSessionCredentials
from dbt.adapters.databricks_session.dbsql_open import open_bounded
from dbt.adapters.databricks_session.jobs_api import tracking as jobs_api_tracking
from dbt.adapters.databricks_session.spark.errors import as_database_error
from dbt.adapters.databricks_session.spark.handle import SessionHandle, open_handle
from dbt.adapters.databricks_session.spark.local import DEFAULT_MASTER, LocalSparkSettings
from dbt.adapters.databricks_session.spark.source import base_session


def local_settings(
    creds: DatabricksSessionCredentials, project_root: str, target_path: str
) -> LocalSparkSettings:
    """Local Spark settings from the profile; relative paths are relative to the project.

    `project_root` is dbt's `--project-dir` as given (often relative to the working directory),
    and `target_path` is relative to the project (or absolute): the project is joined once.
    """
    root = os.path.abspath(project_root)
    chosen = os.path.expanduser(creds.spark_local_dir or os.path.join(target_path, "spark"))
    local_dir = os.path.join(root, chosen)
    return LocalSparkSettings(
        master=creds.spark_master or DEFAULT_MASTER,
        local_dir=os.path.normpath(local_dir),
        conf={key: str(value) for key, value in (creds.spark_conf or {}).items()},
        table_format=creds.local_table_format,
    )


def project_paths(profile: AdapterRequiredConfig) -> tuple[str, str]:
    """The project's root and target path. Most commands hand the adapter their whole project
    config; `dbt debug` hands it only the profile, so the root and target path come from the
    command's own flags (`--project-dir`, `--target-path`), as for every other command, instead
    of the working directory."""
    root = getattr(profile, "project_root", None)
    target = getattr(profile, "target_path", None)
    if root is None:
        flags = _command_flags()
        root = getattr(flags, "PROJECT_DIR", None) or os.getcwd()
        target = target or getattr(flags, "TARGET_PATH", None)
    return str(root), str(target or "target")


def _command_flags() -> Any:
    try:
        from dbt.flags import get_flags
    except ImportError:  # the adapter driven without dbt-core's command line
        return None
    return get_flags()


class DatabricksSessionConnectionManager(DatabricksConnectionManager):
    TYPE: str = "databricks_session"
    # Our own cache: upstream keys it by http_path, and every session connection has "".
    _dbr_capabilities_cache: dict[str, DBRCapabilities] = {}
    # One local Spark per process, so its settings are process-wide too (like upstream's
    # class-level credentials manager).
    _local_settings: LocalSparkSettings = LocalSparkSettings(local_dir="target/spark")
    _threads: int = 1  # how many dbt threads may use the session at once

    def __init__(self, profile: AdapterRequiredConfig, mp_context: SpawnContext) -> None:
        super().__init__(profile, mp_context)
        creds = cast(DatabricksSessionCredentials, profile.credentials)
        if creds.is_session:
            project_root, target_path = project_paths(profile)
            type(self)._local_settings = local_settings(creds, project_root, target_path)
            type(self)._threads = int(getattr(profile, "threads", None) or 1)

    @property
    def session_mode(self) -> bool:
        return cast(DatabricksSessionCredentials, self.profile.credentials).is_session

    @classmethod
    def open(cls, connection: Connection) -> Connection:
        creds = cast(DatabricksSessionCredentials, connection.credentials)
        if not creds.is_session:
            return open_bounded(super().open, connection)
        if connection.state == ConnectionState.OPEN:
            return connection
        try:
            handle = open_handle(
                base_session(cls._local_settings, creds.spark_remote),
                catalog=creds.database,
                schema=creds.schema,
                session_properties=creds.session_properties or {},
                label=lambda: connection.name or "dbt",
                threads=cls._threads,
            )
        except DbtRuntimeError:
            # As dbt's retry_connection does: a failed open leaves no handle to close later.
            connection.handle = None
            connection.state = ConnectionState.FAIL
            raise
        cls._record_session(cast(DatabricksDBTConnection, connection), handle)
        return connection

    @classmethod
    def _record_session(cls, connection: DatabricksDBTConnection, handle: SessionHandle) -> None:
        connection.handle = handle
        connection.state = ConnectionState.OPEN
        connection.session_id = handle.session_id
        connection.capabilities = SessionCapabilities(handle.runtime_version, handle.spark.version)
        cls._dbr_capabilities_cache[connection.http_path] = connection.capabilities
        logger.debug(f"{handle} - opened for {connection.name}")

    @classmethod
    def _cache_dbr_capabilities(cls, creds: Any, http_path: str) -> None:
        # Session capabilities come from the session itself when it opens (see open()).
        if not cast(DatabricksSessionCredentials, creds).is_session:
            super()._cache_dbr_capabilities(creds, http_path)

    def is_cluster(self) -> bool:
        return True if self.session_mode else super().is_cluster()

    def cancel_open(self) -> list[str]:
        if not self.session_mode:
            return super().cancel_open()
        cancelled = super(DatabricksConnectionManager, self).cancel_open()
        # Jobs API runs and commands that Python models started (submission methods other
        # than `session`), on the client those models built.
        jobs_api_tracking.cancel_runs()
        return cancelled

    @contextmanager
    def exception_handler(self, sql: str) -> Iterator[None]:
        if not self.session_mode:
            with super().exception_handler(sql):
                yield
            return
        try:
            yield
        except DbtRuntimeError as exc:
            logger.debug(QueryError(redact_credentials(sql), exc))
            raise
        except Exception as exc:
            logger.debug(QueryError(redact_credentials(sql), exc))
            raise as_database_error(exc) from exc
