"""A statement's result columns and rows, read with as few round trips as the session allows.

Classic Spark: `spark.sql` returns an analysed Dataset, so its schema is two Py4J calls and no
Spark work; a statement without result columns (DDL, most DML) has already run and nothing is
collected. Spark Connect: `frame.schema` would be an AnalyzePlan RPC (the server analyses the
statement again) and `collect()` an ExecutePlan plus a Config RPC. Instead, a command's result
is read from the response `spark.sql` already holds (no RPC), and a query's rows come with its
schema from one ExecutePlan. Where this pyspark lacks the pieces, the public path is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Columns = list[tuple[str, str]]


def fetch(frame: Any, is_connect: bool) -> tuple[Columns, Sequence[Any]]:
    """(columns as (name, type string), rows) of the statement `frame` came from."""
    if is_connect:
        fetched = _connect_fetch(frame)
        if fetched is not None:
            return fetched
    columns = _columns(frame.schema)
    # A result without columns is a command that `spark.sql` has already run: nothing to fetch.
    return columns, (frame.collect() if columns else [])


def _columns(schema: Any) -> Columns:
    return [(field.name, field.dataType.simpleString()) for field in schema.fields]


def _connect_fetch(frame: Any) -> tuple[Columns, list[Any]] | None:
    try:
        from pyspark.sql.conversion import ArrowTableToRowsConversion
        from pyspark.sql.pandas.types import from_arrow_schema
    except ImportError:
        return None
    table = _command_result(frame)
    schema = None
    if table is None:
        if not hasattr(frame, "_to_table"):
            return None
        table, schema = frame._to_table()  # the query's rows and exact schema, one RPC
    # As Connect's own collect(): the server's schema, else the one the Arrow data carries.
    schema = schema or from_arrow_schema(table.schema, prefer_timestamp_ntz=True)
    columns = _columns(schema)
    if not columns:
        return columns, []
    binary_as_bytes = _binary_as_bytes(frame) if _has_binary(schema) else True
    rows = ArrowTableToRowsConversion.convert(table, schema, binary_as_bytes=binary_as_bytes)
    return columns, rows


def _command_result(frame: Any) -> Any:
    """The Arrow table of a command's result that the `spark.sql` response carried inline (a
    local relation), or None for a query (the server returns it unexecuted)."""
    relation = getattr(getattr(frame, "_plan", None), "_plan", None)
    if relation is None or not hasattr(relation, "WhichOneof"):
        return None
    if relation.WhichOneof("rel_type") != "local_relation":
        return None
    local = relation.local_relation
    if not local.HasField("data") or local.HasField("schema"):
        return None
    import pyarrow as pa

    with pa.ipc.open_stream(local.data) as reader:
        return reader.read_all()


def _has_binary(data_type: Any) -> bool:
    from pyspark.sql.types import ArrayType, BinaryType, MapType, StructType

    if isinstance(data_type, BinaryType):
        return True
    if isinstance(data_type, StructType):
        return any(_has_binary(field.dataType) for field in data_type.fields)
    if isinstance(data_type, ArrayType):
        return _has_binary(data_type.elementType)
    if isinstance(data_type, MapType):
        return _has_binary(data_type.keyType) or _has_binary(data_type.valueType)
    return False


def _binary_as_bytes(frame: Any) -> bool:
    """Connect's collect() reads this session conf (an RPC) on every call; only binary values
    depend on it."""
    read = getattr(frame, "_get_binary_as_bytes", None)
    return bool(read()) if read is not None else True
