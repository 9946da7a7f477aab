"""Profile for `type: databricks_session`: upstream's keys plus `method` and local Spark keys."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dbt.adapters.databricks.credentials import (
    CATALOG_KEY_IN_SESSION_PROPERTIES,
    DatabricksCredentials,
)
from dbt_common.exceptions import DbtValidationError

from dbt.adapters.databricks_session import profile_checks
from dbt.adapters.databricks_session.redaction import redact_value
from dbt.adapters.databricks_session.spark.connect import redact

SESSION = "session"
DBSQL = "dbsql"
METHODS = (SESSION, DBSQL)
SESSION_MODE_ENV = "DBT_DATABRICKS_SESSION_MODE"
RUNTIME_ENV = "DATABRICKS_RUNTIME_VERSION"
OPEN_SOURCE_CATALOG = "spark_catalog"
SESSION_ONLY_KEYS = (
    "spark_remote",
    "spark_master",
    "spark_local_dir",
    "spark_conf",
    "local_table_format",
    "databricks_profile",
    "jobs_api_poll_interval",
)
LOCAL_TABLE_FORMATS = ("delta", "parquet")


def detect_method(host: str | None) -> str:
    """`session` when asked for by env var, or on a Databricks runtime with no `host` set."""
    if os.environ.get(SESSION_MODE_ENV, "").strip().lower() == "true":
        return SESSION
    if os.environ.get(RUNTIME_ENV) and not host:
        return SESSION
    return DBSQL


@dataclass
class DatabricksSessionCredentials(DatabricksCredentials):
    # `session` runs SQL on a SparkSession; `dbsql` is dbt-databricks unchanged.
    method: str | None = None
    # A Spark Connect server: `sc://host:port` or `local[N]` (serve local Spark over Connect).
    spark_remote: str | None = None
    # Embedded local Spark only (ignored when a session already exists in the process).
    spark_master: str | None = None
    spark_local_dir: str | None = None
    spark_conf: dict[str, Any] | None = None
    # `delta` | `parquet` for embedded local Spark; unset: Delta, or parquet without its jars.
    local_table_format: str | None = None
    # Jobs API submissions from a session: a ~/.databrickscfg profile for workspace credentials
    # (else host/token keys, else databricks-sdk's default chain), and the run poll interval.
    databricks_profile: str | None = None
    jobs_api_poll_interval: float | None = None

    @classmethod
    def validate(cls, data: Any) -> None:
        """dbt's check of the profile target (before `from_dict`): unknown keys and malformed
        values first, each with a message naming the key and the fix, then dbt's schema."""
        if isinstance(data, dict):
            profile_checks.check_profile(data, profile_checks.known_keys(cls), cls._ALIASES)
        super().validate(data)

    @classmethod
    def __pre_deserialize__(cls, data: dict[Any, Any]) -> dict[Any, Any]:
        profile_checks.check_values(data)  # also when built without dbt's validate()
        return super().__pre_deserialize__(data)

    def __post_init__(self) -> None:
        self.method = self._resolve_method()
        if self.method == SESSION:
            self._prepare_session_mode()
        super().__post_init__()

    def _resolve_method(self) -> str:
        method = (self.method or detect_method(self.host)).strip().lower()
        if method not in METHODS:
            raise DbtValidationError(
                f"Unknown `method: {self.method}` in the databricks_session profile. "
                "Use `method: session` (run in a Spark session) or `method: dbsql` "
                "(a SQL warehouse or cluster over HTTP, exactly as dbt-databricks)."
            )
        return method

    def _prepare_session_mode(self) -> None:
        if not self.schema:
            raise DbtValidationError(
                "`schema` is required in the profile for `method: session` "
                "(the schema dbt builds models in)."
            )
        self._check_local_table_format()
        # On open-source Spark the session catalog is `spark_catalog`; a runtime keeps
        # upstream's `hive_metastore` default.
        properties = self.session_properties or {}
        if (
            self.database is None
            and CATALOG_KEY_IN_SESSION_PROPERTIES not in properties
            and not os.environ.get(RUNTIME_ENV)
        ):
            self.database = OPEN_SOURCE_CATALOG
        self.http_path = self.http_path or ""

    def _check_local_table_format(self) -> None:
        if self.local_table_format is None:
            return
        table_format = str(self.local_table_format).strip().lower()
        if table_format not in LOCAL_TABLE_FORMATS:
            raise DbtValidationError(
                f"Unknown `local_table_format: {self.local_table_format}` in the "
                "databricks_session profile. Use `delta` (the default: Delta Lake, as on "
                "Databricks) or `parquet` (no Delta jars needed)."
            )
        self.local_table_format = table_format

    @property
    def is_session(self) -> bool:
        return self.method == SESSION

    def connection_info(self, *, with_aliases: bool = False) -> Iterator[tuple[str, Any]]:
        # `dbt debug` prints these values: a Connect URL can carry `;token=...`, and
        # `spark_conf` / `session_properties` storage keys and tokens.
        for key, value in super().connection_info(with_aliases=with_aliases):
            if key == "spark_remote" and value:
                yield key, redact(value)
            else:
                yield key, redact_value(key, value) if isinstance(value, dict) else value

    @property
    def type(self) -> str:
        return "databricks_session"

    @property
    def unique_field(self) -> str:
        if self.is_session:
            return f"{SESSION}:{self.database}"
        if not self.host:
            # dbt hashes this before anything validates the profile; upstream's None crashes
            # there with a traceback. Fail with the message `dbt debug` gives instead.
            self.validate_creds()
        return super().unique_field

    @property
    def cluster_id(self) -> str | None:
        if self.is_session:
            return None
        return super().cluster_id

    def validate_creds(self) -> None:
        if self.is_session:
            return  # no host, token or http_path: the session is already authenticated
        super().validate_creds()

    def _connection_keys(self, *, with_aliases: bool = False) -> tuple[str, ...]:
        upstream = super()._connection_keys(with_aliases=with_aliases)
        if not self.is_session:
            return ("method", *upstream)
        kept = tuple(key for key in upstream if key not in ("host", "http_path"))
        return ("method", *kept, *(k for k in SESSION_ONLY_KEYS if getattr(self, k)))
