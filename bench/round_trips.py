"""Round trips per SessionHandle operation: Py4J commands (classic) and gRPC calls (Connect).

    python bench/round_trips.py [SPARK_DIR]          # this tree's adapter
    PYTHONPATH=OTHER_TREE python bench/round_trips.py  # another tree's, to compare

Counts are averaged over 10 repeats of each operation on local Spark (and the same Spark served
over Connect); times are printed too but depend on the machine's load. See docs/performance.md.
"""

from __future__ import annotations

import collections
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import py4j.clientserver

counts: collections.Counter[str] = collections.Counter()
_send = py4j.clientserver.ClientServerConnection.send_command


def _counted_send(self: Any, command: str) -> Any:
    if not command.startswith("m\n"):  # py4j's garbage-collection messages
        counts["py4j"] += 1
    return _send(self, command)


def _count_rpcs() -> None:
    from pyspark.sql.connect.proto import base_pb2_grpc

    original = base_pb2_grpc.SparkConnectServiceStub.__init__

    def init(stub: Any, channel: Any) -> None:
        original(stub, channel)
        for name in [n for n in vars(stub) if n[0].isupper()]:
            method = getattr(stub, name)

            def call(*args: Any, _method: Any = method, _name: str = name, **kwargs: Any) -> Any:
                counts["rpc"] += 1
                counts[f"rpc {_name}"] += 1
                return _method(*args, **kwargs)

            setattr(stub, name, call)

    base_pb2_grpc.SparkConnectServiceStub.__init__ = init  # type: ignore[method-assign]


def measure(kind: str, name: str, action: Callable[[], Any], repeats: int = 10) -> None:
    action()
    counts.clear()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    time.sleep(0.5)  # Connect releases executions in the background
    per = {key: round(value / repeats, 1) for key, value in sorted(counts.items())}
    print(f"{kind:7} {name:28} {statistics.median(times) * 1000:8.1f} ms  {per}", flush=True)


def main(spark_dir: str) -> None:
    from dbt.adapters.databricks_session.python_models.session import temp_views
    from dbt.adapters.databricks_session.spark.handle import open_handle
    from dbt.adapters.databricks_session.spark.local import LocalSparkSettings
    from dbt.adapters.databricks_session.spark.source import base_session

    py4j.clientserver.ClientServerConnection.send_command = _counted_send  # type: ignore
    _count_rpcs()
    settings = LocalSparkSettings(master="local[2]", local_dir=spark_dir, table_format="parquet")
    bases = [("classic", base_session(settings)), ("connect", base_session(settings, "local[2]"))]
    bases[0][1].spark.sql("create schema if not exists trips")
    for kind, base in bases:
        handle = open_handle(base, "spark_catalog", "trips", {}, label=lambda: "bench")
        table = f"trips.t_{kind}"
        handle.execute(f"create table if not exists {table} (id bigint) using parquet")

        def opened(b: Any = base) -> None:
            open_handle(b, "spark_catalog", "trips", {}, lambda: "x").close()

        measure(kind, "open connection", opened)
        measure(kind, "command with rows (set)", lambda h=handle: h.execute("set a.b=1"))
        measure(
            kind, "command (insert)", lambda h=handle: h.execute(f"insert into {table} values (1)")
        )
        measure(kind, "query (select 1)", lambda h=handle: h.execute("select 1 as a"))
        measure(kind, "SHOW VIEWS (temp_views)", lambda h=handle: temp_views(h))
        handle.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="round_trips_"))
