"""Per-statement cost of Delta Lake against parquet on the embedded local Spark.

    python bench/delta_statements.py [--repeats N]

Starts one local Spark per configuration in a fresh process (parquet; Delta with the adapter's
settings; Delta with Delta's default `snapshotPartitions`, to show what that setting buys) and
times the statements a dbt run sends most: a table rebuild (CTAS), an incremental (merge on
Delta, insert on parquet), an aggregate read and a DESCRIBE. Prints a table and
`RESULT {json}`: milliseconds per statement, and Delta ÷ parquet ratios from the same run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from typing import Any

SOURCE = "select id, id % 7 as k, cast(id as string) as v from range(1000)"
CONFIGS = {
    "parquet": ("parquet", {}),
    "delta": ("delta", {}),
    "delta_default_snapshot_partitions": (
        "delta",
        {"spark.databricks.delta.snapshotPartitions": "50"},
    ),
}


def measure(table_format: str, conf: dict[str, str], repeats: int) -> dict[str, float]:
    """Runs in the child process: milliseconds per statement, after one warm-up each."""
    from dbt.adapters.databricks_session.spark.local import LocalSparkSettings, start_local_spark

    local_dir = tempfile.mkdtemp(prefix="dbt-delta-bench-")
    spark = start_local_spark(
        LocalSparkSettings(
            master="local[2]", local_dir=local_dir, conf=conf, table_format=table_format
        )
    )

    def rebuild() -> None:
        if table_format == "delta":
            spark.sql(f"create or replace table t using delta as {SOURCE}").collect()
        else:
            spark.sql("drop table if exists t")
            spark.sql(f"create table t using parquet as {SOURCE}").collect()

    def incremental() -> None:
        if table_format == "delta":
            spark.sql(
                f"merge into t using ({SOURCE}) s on t.id = s.id "
                "when matched then update set * when not matched then insert *"
            ).collect()
        else:
            spark.sql(f"insert into t {SOURCE}").collect()

    statements = {
        "rebuild": rebuild,
        "incremental": incremental,
        "aggregate": lambda: spark.sql("select k, count(*) from t group by k").collect(),
        "describe": lambda: spark.sql("describe table extended t").collect(),
    }
    timings = {}
    for name, statement in statements.items():
        statement()
        start = time.perf_counter()
        for _ in range(repeats):
            statement()
        timings[name] = round((time.perf_counter() - start) / repeats * 1000, 1)
    spark.stop()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        table_format, conf = CONFIGS[args.child]
        print("TIMINGS " + json.dumps(measure(table_format, conf, args.repeats)))
        return 0
    results: dict[str, Any] = {}
    for name in CONFIGS:
        output = subprocess.run(
            [sys.executable, __file__, "--child", name, "--repeats", str(args.repeats)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        line = next(line for line in output.splitlines() if line.startswith("TIMINGS "))
        results[name] = json.loads(line.removeprefix("TIMINGS "))
    for name, timings in results.items():
        print(f"{name:36} " + "  ".join(f"{k} {v:8.1f} ms" for k, v in timings.items()))
    parquet = results["parquet"]
    results["delta_over_parquet"] = {
        key: round(results["delta"][key] / parquet[key], 2) for key in parquet
    }
    print("RESULT " + json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
