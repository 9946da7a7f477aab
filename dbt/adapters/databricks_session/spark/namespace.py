"""A new connection session's current catalog and schema: the profile's, set without redundant
round trips (each one an RPC on Spark Connect)."""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.databricks_session.spark.errors import is_spark_error
from dbt.adapters.databricks_session.spark.source import on_databricks_runtime

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from dbt.adapters.databricks_session.spark.handle import SessionHandle

# The (catalog, schema) every new connection session of a base starts in, read from the first
# one. Keyed by the base's SparkSession.
_starts: weakref.WeakKeyDictionary[Any, tuple[str, str]] = weakref.WeakKeyDictionary()
_starts_lock = threading.Lock()


def set_namespace(
    handle: SessionHandle,
    catalog: str | None,
    schema: str | None,
    session_properties: dict[str, Any],
) -> None:
    """Make the profile's catalog and schema current, skipping what already is."""
    start = starting_namespace(handle, session_properties)
    if catalog and (start is None or catalog != start[0]):
        _use_catalog(handle.spark, catalog)
        start = None  # switching catalogs also moves the current schema
    if schema and (start is None or schema != start[1]):
        _use_schema_if_it_exists(handle.spark, schema)


def starting_namespace(
    handle: SessionHandle, session_properties: dict[str, Any]
) -> tuple[str, str] | None:
    """(catalog, schema) this new session starts in, or None where that can differ from one
    connection to the next: a shared session keeps what the last node set, a clone of a
    caller's Connect session copies that session's current state, and a property naming a
    catalog (`spark.sql.defaultCatalog`) can move it. A classic `newSession()`, and a clone of
    a Connect session this adapter made and never changes, always start in the same place."""
    if handle.shared or (handle.is_connect and handle.base.remote is None):
        return None
    if any("catalog" in str(key).lower() for key in session_properties):
        return None
    with _starts_lock:
        start = _starts.get(handle.base.spark)
    if start is None:
        catalog = handle.spark.catalog
        start = (catalog.currentCatalog(), catalog.currentDatabase())
        with _starts_lock:
            _starts[handle.base.spark] = start
    return start


def _use_schema_if_it_exists(spark: SparkSession, schema: str) -> None:
    """One metastore round trip when the schema exists (every connection after the first run's
    `create schema`), a second only when it does not."""
    try:
        spark.catalog.setCurrentDatabase(schema)
    except Exception as exc:
        if not is_spark_error(exc) or spark.catalog.databaseExists(schema):
            raise


def _use_catalog(spark: SparkSession, catalog: str) -> None:
    try:
        spark.catalog.setCurrentCatalog(catalog)
    except Exception as exc:
        if not is_spark_error(exc):
            raise
        hint = (
            " Open-source Spark has one catalog, `spark_catalog`: set `catalog: spark_catalog` "
            "or leave `catalog` out of the profile."
            if not on_databricks_runtime()
            else ""
        )
        raise DbtRuntimeError(
            f"The catalog `{catalog}` from the profile does not exist in this Spark session.{hint}"
        ) from None
