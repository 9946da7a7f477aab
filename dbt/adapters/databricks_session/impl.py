"""The adapter: dbt-databricks with the few overrides session mode needs."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from typing import Any, cast

from dbt.adapters.base import PythonJobHelper
from dbt.adapters.base.impl import AdapterTrackingRelationInfo, available
from dbt.adapters.base.relation import BaseRelation
from dbt.adapters.contracts.connection import AdapterResponse, Connection
from dbt.adapters.contracts.relation import RelationConfig
from dbt.adapters.databricks import constants
from dbt.adapters.databricks.catalogs._relation import DatabricksCatalogRelation
from dbt.adapters.databricks.column import DatabricksColumn
from dbt.adapters.databricks.dbr_capabilities import DBRCapability
from dbt.adapters.databricks.impl import DatabricksAdapter
from dbt.adapters.databricks.logging import logger
from dbt.adapters.databricks.relation import DatabricksRelation
from dbt_common.contracts.metadata import CatalogTable

from dbt.adapters.databricks_session import (
    capabilities,
    catalog_stats,
    features,
    single_catalog,
)
from dbt.adapters.databricks_session.__version__ import version
from dbt.adapters.databricks_session.connections import DatabricksSessionConnectionManager
from dbt.adapters.databricks_session.credentials import DatabricksSessionCredentials
from dbt.adapters.databricks_session.jobs_api import debug as jobs_api_debug
from dbt.adapters.databricks_session.python_models.session import SessionPythonJobHelper
from dbt.adapters.databricks_session.relation import DatabricksSessionRelation
from dbt.adapters.databricks_session.spark.cursor import session_response
from dbt.adapters.databricks_session.spark.handle import SessionHandle
from dbt.adapters.databricks_session.spark.ui import spark_ui_line

NO_DELTA_FORMAT = constants.PARQUET_FILE_FORMAT
SESSION_SUBMISSION = "session"


class DatabricksSessionAdapter(DatabricksAdapter):
    ConnectionManager = DatabricksSessionConnectionManager
    connections: DatabricksSessionConnectionManager
    Relation = DatabricksSessionRelation

    _told_about_parquet = False

    # -- identity ------------------------------------------------------------------------------

    @classmethod
    def get_adapter_run_info(cls, config: RelationConfig) -> AdapterTrackingRelationInfo:
        # dbt derives a module name from the class name ("databrickssession"), which we lack.
        return AdapterTrackingRelationInfo(  # type: ignore[abstract]
            adapter_name="databricks_session",
            base_adapter_version=import_module("dbt.adapters.__about__").version,
            adapter_version=version,
            model_adapter_details=cls._get_adapter_specific_run_info(config),
        )

    @property
    def credentials(self) -> DatabricksSessionCredentials:
        return cast(DatabricksSessionCredentials, self.config.credentials)

    def _session_handle(self) -> SessionHandle | None:
        """This thread's session, or None in dbsql mode or before a connection (parse time)."""
        connection = self.connections.get_if_exists()
        if not self.credentials.is_session or connection is None:
            return None
        return cast(SessionHandle, connection.handle)

    @available
    def is_session_mode(self) -> bool:
        return self.credentials.is_session

    @available
    def load_seed_rows(
        self, relation: DatabricksRelation, agate_table: Any, columns: list[tuple[str, str]]
    ) -> str:
        """Load a seed's rows in one DataFrame write; returns the SQL it is equivalent to."""
        handle = self._session_handle()
        assert handle is not None, "load_seed_rows runs in session mode only"
        table = relation.render()
        count = handle.load_rows(table, columns, list(agate_table.rows))
        casts = ", ".join(f"CAST(c{i} AS {type_name})" for i, (_, type_name) in enumerate(columns))
        return f"-- {count} rows from the seed file\ninsert overwrite {table} select {casts}"

    # -- Python models -------------------------------------------------------------------------

    @property
    def default_python_submission_method(self) -> str:
        return (
            SESSION_SUBMISSION
            if self.credentials.is_session
            else super().default_python_submission_method
        )

    @property
    def python_submission_helpers(self) -> dict[str, type[PythonJobHelper]]:
        helpers = {**super().python_submission_helpers, SESSION_SUBMISSION: SessionPythonJobHelper}
        if self.credentials.is_session:
            # Jobs API methods from a session: validated configs, the SDK's credential chain.
            from dbt.adapters.databricks_session.jobs_api.helpers import HELPERS

            helpers.update(HELPERS)
        return helpers

    def submit_python_job(self, parsed_model: dict, compiled_code: str) -> AdapterResponse:
        config = parsed_model["config"]
        method = config.get("submission_method") or self.default_python_submission_method
        if method == SESSION_SUBMISSION:
            # The helper gets the session of this model's own connection: its SQL ran there.
            helper = SessionPythonJobHelper(
                parsed_model,
                self.credentials,
                session=self._session_handle(),
                project_root=self.config.project_root,
            )
            helper.submit(compiled_code)
            return session_response(helper.run_id or "N/A", helper.metrics)
        return super().submit_python_job(parsed_model, compiled_code)

    # -- capabilities --------------------------------------------------------------------------

    def _has_dbr_capability_parse(self, capability_name: str) -> bool:
        # A session is a cluster: only what every session has, until one reports its runtime.
        if self.credentials.is_session:
            return capabilities.has_at_parse_time(capability_name)
        return super()._has_dbr_capability_parse(capability_name)

    def has_capability(self, capability: DBRCapability) -> bool:
        if self.credentials.is_session:
            # A connection learns its session's capabilities when it opens; a macro may ask
            # before the connection has run anything.
            self.connections.get_thread_connection().handle  # noqa: B018 (opens it)
        return super().has_capability(capability)

    def acquire_connection(
        self, name: str | None = None, query_header_context: Any = None
    ) -> Connection:
        connection = super().acquire_connection(name, query_header_context)
        # dbt names the node a connection is for before it compiles or runs it: the one point
        # before a microbatch model is split into batches.
        command = getattr(getattr(self.config, "args", None), "WHICH", None)
        batched = features.builds_in_batches(query_header_context, command)
        if self.credentials.is_session and batched:
            features.require_delta(self._session_handle(), features.MICROBATCH)
        return connection

    # -- relations built by upstream with its own class ----------------------------------------

    def list_relations_without_caching(  # type: ignore[override]
        self, schema_relation: DatabricksRelation
    ) -> list[DatabricksRelation]:
        relations = super().list_relations_without_caching(schema_relation)
        return [DatabricksSessionRelation.of(relation) for relation in relations]

    def _get_updated_relation(
        self, relation: DatabricksRelation
    ) -> tuple[DatabricksRelation, list[DatabricksColumn]]:
        updated, columns = super()._get_updated_relation(relation)
        return DatabricksSessionRelation.of(updated), columns

    # -- docs catalog ----------------------------------------------------------------------------

    def parse_columns_from_information(  # type: ignore[override]
        self, relation: DatabricksRelation, information: str
    ) -> list[DatabricksColumn]:
        columns = super().parse_columns_from_information(relation, information)
        if not self.credentials.is_session:
            return columns
        # Spark's SHOW TABLE EXTENDED has no column comments, a `Comment:` that runs on into the
        # storage details (a view's is its text), and, for a Delta table in a Hive metastore,
        # no schema at all (it lives in the Delta log). DESCRIBE has all of them right.
        _, described = self._get_updated_relation(relation)
        if not columns:
            schema = "".join(f" |-- {c.name}: {c.dtype} (nullable = true)\n" for c in described)
            columns = super().parse_columns_from_information(
                relation, f"{information}\nSchema: root\n{schema}"
            )
        by_name = {column.name: column for column in described}
        table_comment = described[0].table_comment if described else None
        stats = columns[0].table_stats if columns else None
        if columns and not stats and catalog_stats.is_delta_table(information):
            stats = catalog_stats.delta_table_stats(self, relation)
        for column in columns:
            column.table_comment = table_comment
            column.table_stats = stats
            column.comment = getattr(by_name.get(column.name), "comment", None)
        return columns

    def _get_columns_for_catalog(  # type: ignore[override]
        self, relation: DatabricksRelation, information: str
    ) -> Iterator[dict[str, Any]]:
        for row in super()._get_columns_for_catalog(relation, information):
            if self.credentials.is_session:
                # dbt's catalog reads a column's comment from `column_comment`. Every row keeps
                # the keys upstream types as text (a missing one is a RuntimeWarning per call).
                row["column_comment"] = row.setdefault("comment", None)
                row.setdefault("table_comment", None)
            yield row

    def get_catalog_for_single_relation(self, relation: BaseRelation) -> CatalogTable | None:
        if not self.credentials.is_session:
            return super().get_catalog_for_single_relation(relation)
        table = self._get_schema_for_catalog(
            relation.database or "", relation.schema or "", relation.identifier or ""
        )
        return single_catalog.catalog_table(
            dict(zip(table.column_names, row)) for row in table.rows
        )

    # -- file format: parquet where the session has no Delta -----------------------------------

    def resolve_file_format(self, config: Any) -> str:
        if config.get("file_format") or config.get("table_format"):
            return self._checked_format(super().resolve_file_format(config))
        return self._default_file_format()

    def build_catalog_relation(self, model: RelationConfig) -> DatabricksCatalogRelation | None:
        features.check_model_configs(self._session_handle(), model)
        relation = super().build_catalog_relation(model)
        if isinstance(relation, DatabricksCatalogRelation):
            explicit = model.config.get("file_format") if model.config else None
            if explicit or (model.config and model.config.get("table_format")):
                relation.file_format = self._checked_format(relation.file_format or "")
            else:
                relation.file_format = self._default_file_format()
        return relation

    def _default_file_format(self) -> str:
        handle = self._session_handle()
        if handle is None or handle.has_delta:
            return constants.DELTA_FILE_FORMAT
        if not DatabricksSessionAdapter._told_about_parquet:
            DatabricksSessionAdapter._told_about_parquet = True
            logger.info(
                "Session mode: this Spark session has no Delta Lake, so tables default to "
                "file_format 'parquet' (merge, snapshots, constraints and other Delta "
                "features are unavailable here)."
            )
        return NO_DELTA_FORMAT

    def _checked_format(self, file_format: str) -> str:
        if file_format == constants.DELTA_FILE_FORMAT:
            features.require_delta(self._session_handle(), "file_format 'delta'")
        return file_format

    @available
    def require_delta(self, feature: str) -> str:
        """Fail with one clear error when `feature` needs Delta and the session has none."""
        features.require_delta(self._session_handle(), feature)
        return ""

    @available
    def session_has_delta(self) -> bool:
        """False only in a session without Delta Lake (in dbsql mode, as at parse time, True)."""
        handle = self._session_handle()
        return handle is None or handle.has_delta

    @available
    def is_open_source_spark(self) -> bool:
        """True in a session on open-source Spark (local or not), not a Databricks runtime."""
        handle = self._session_handle()
        return handle is not None and handle.runtime_version is None

    @available
    def require_dbsql(self, feature: str) -> str:
        """Fail with one clear error when `feature` cannot run in a Spark session at all."""
        features.require_dbsql(self.credentials.is_session, feature)
        return ""

    @available
    def require_databricks_runtime(self, feature: str) -> str:
        """Fail with one clear error when `feature` needs a Databricks runtime."""
        features.require_runtime(self._session_handle(), feature)
        return ""

    # -- dbt debug -----------------------------------------------------------------------------

    def debug_query(self) -> None:
        if not self.credentials.is_session:
            return super().debug_query()
        self.execute("select 1 as id")
        handle = self._session_handle()
        assert handle is not None
        runtime = handle.runtime_version
        logger.info(f"  Spark version: {handle.spark.version}")
        logger.info(
            "  Databricks runtime: "
            + (f"{runtime[0]}.{runtime[1]}" if runtime else "none (open-source Spark)")
        )
        logger.info(f"  Delta Lake: {handle.delta_version or 'none (tables are parquet)'}")
        logger.info(f"  Session origin: {handle.base.origin}")
        logger.info(f"  Session kind: {'Spark Connect' if handle.is_connect else 'classic'}")
        logger.info(f"  Spark UI: {spark_ui_line(handle.spark)}")
        logger.info(f"  Catalog / schema: {self.credentials.database} / {self.credentials.schema}")
        jobs_api_debug.report(self.credentials)
        logger.info(
            "  Connections isolated: "
            + (
                "no (one shared Spark Connect session: runs with one thread only)"
                if handle.shared
                else "yes (one Spark session per dbt connection)"
            )
        )
