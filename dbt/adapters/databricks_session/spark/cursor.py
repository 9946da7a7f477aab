"""The cursor dbt-databricks talks to: results already fetched from Spark, served DB-API style."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dbt.adapters.databricks.handle import DatabricksAdapterResponse
from dbt_common.exceptions import DbtRuntimeError

# (name, type string) per result column; DB-API `description` pads them to 7-tuples.
Columns = Sequence[tuple[str, str]]


class SessionCursor:
    """One statement's result. Spark ran the statement before this object was made."""

    def __init__(
        self,
        columns: Columns,
        rows: Sequence[tuple[Any, ...]],
        statement_id: str,
        rows_affected: int | None = None,
    ) -> None:
        self._columns = list(columns)
        self._rows = list(rows)
        self._position = 0
        self.statement_id = statement_id
        self.rows_affected = rows_affected
        self.open = True

    @property
    def description(self) -> list[tuple[Any, ...]]:
        return [
            (name, type_name, None, None, None, None, True) for name, type_name in self._columns
        ]

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.fetchmany(len(self._rows))

    def fetchone(self) -> tuple[Any, ...] | None:
        batch = self.fetchmany(1)
        return batch[0] if batch else None

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        self._check_open()
        batch = self._rows[self._position : self._position + size]
        self._position += len(batch)
        return batch

    def get_response(self) -> DatabricksAdapterResponse:
        return DatabricksAdapterResponse(
            _message=f"OK {self.rows_affected}" if self.rows_affected is not None else "OK",
            rows_affected=self.rows_affected,
            query_id=self.statement_id,
        )

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
