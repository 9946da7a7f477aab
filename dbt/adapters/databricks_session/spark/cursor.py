"""The cursor dbt-databricks talks to: results already fetched from Spark, served DB-API style.

Rows are the DBSQL connector's `Row` (a tuple with named fields: `row.name`, `row["name"]`,
`row[0]`, `row.asDict()`), as upstream code and macros expect from a warehouse cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from databricks.sql.types import Row
from dbt.adapters.databricks.handle import DatabricksAdapterResponse
from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.databricks_session.spark.metrics import RunMetrics

# (name, type string) per result column; DB-API `description` pads them to 7-tuples.
Columns = Sequence[tuple[str, str]]


@dataclass
class SessionAdapterResponse(DatabricksAdapterResponse):
    """Upstream's response plus what Spark knows about the statement or Python model (see
    spark/metrics.py). A value that is not known exactly stays None, so it is left out of
    run_results.json."""

    execution_time_ms: int | None = None
    spark_job_ids: list[int] | None = None
    rows_written: int | None = None
    bytes_written: int | None = None
    files_written: int | None = None
    delta_version: int | None = None
    delta_operation: str | None = None
    delta_operation_metrics: dict[str, int] | None = None


def session_response(
    query_id: str, metrics: RunMetrics | None, rows_affected: int | None = None
) -> SessionAdapterResponse:
    message = f"OK {rows_affected}" if rows_affected is not None else "OK"
    response = SessionAdapterResponse(
        _message=message, rows_affected=rows_affected, query_id=query_id
    )
    if metrics is None:
        return response
    response.execution_time_ms = metrics.execution_time_ms
    response.spark_job_ids = metrics.spark_job_ids
    written = metrics.written
    if written is not None:
        response.rows_written = written.rows
        response.bytes_written = written.bytes
        response.files_written = written.files
        response.delta_version = written.delta_version
        response.delta_operation = written.delta_operation
        response.delta_operation_metrics = written.delta_operation_metrics
    return response


class SessionCursor:
    """One statement's result. Spark ran the statement before this object was made."""

    def __init__(
        self,
        columns: Columns,
        rows: Sequence[tuple[Any, ...]],
        statement_id: str,
        rows_affected: int | None = None,
        metrics: RunMetrics | None = None,
    ) -> None:
        self._columns = list(columns)
        self._rows = list(rows)
        self._position = 0
        # A Row "class" whose calls make rows with these field names (as the DBSQL connector).
        self._make_row = Row(*(name for name, _ in self._columns))
        self.statement_id = statement_id
        self.rows_affected = rows_affected
        self.metrics = metrics
        self.open = True

    @property
    def description(self) -> list[tuple[Any, ...]]:
        return [
            (name, type_name, None, None, None, None, True) for name, type_name in self._columns
        ]

    def fetchall(self) -> list[Row]:
        return self.fetchmany(len(self._rows))

    def fetchone(self) -> Row | None:
        batch = self.fetchmany(1)
        return batch[0] if batch else None

    def fetchmany(self, size: int) -> list[Row]:
        self._check_open()
        batch = self._rows[self._position : self._position + size]
        self._position += len(batch)
        return [self._make_row(*values) for values in batch]

    def get_response(self) -> SessionAdapterResponse:
        return session_response(self.statement_id, self.metrics, self.rows_affected)

    def cancel(self) -> None:
        """Nothing runs on behalf of a cursor: the statement finished before it existed."""
        self.close()

    def close(self) -> None:
        self.open = False
        self._rows = []

    def _check_open(self) -> None:
        if not self.open:
            raise DbtRuntimeError("Attempting to fetch from a closed cursor")

    def __str__(self) -> str:
        return f"SessionCursor(statement-id={self.statement_id})"
