"""Measured dbt invocations in a fresh Python process (run by bench/run.py, not by hand).

Usage: python bench/worker.py SPEC.json [SPEC.json ...]

A spec names the warm-up invocations and the measured one (dbt CLI arguments). The first spec
starts Spark; the specs after it are runs that join its process (bench/plan.py:
share_processes), with no warm-up of their own but the Python path's, each measured in its
own schema after the one before. The process:
1. runs the warm-up invocations in-process (`dbtRunner`): the first starts local Spark the way
   the adapter under test does (our `spark_*` profile keys, or dbt-spark's
   `server_side_parameters`), the rest warm the JVM, the Hive metastore and the adapter's code;
2. records the Spark conf actually in effect (run.py checks both adapters ran with the same);
3. runs the measured invocation and reads its run_results.json: `elapsed_time` is dbt's own
   wall time for the command (before-run hooks, schema creation and relation cache, every
   node, after-run) with Spark already up and the project already parsed (then 1-3 for each
   further spec);
4. optionally checks a loaded seed table against its CSV;
5. stops Spark (which closes the event log) and writes its result as JSON.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

# Standard library only, as this module.
from startup_worker import jvm_cpu_seconds, peak_rss_mb

# Keys that differ between any two Spark starts and say nothing about settings.
VOLATILE_CONF_KEYS = (
    "spark.app.id",
    "spark.app.startTime",
    "spark.app.initial.jar.urls",
    "spark.app.submitTime",
    "spark.driver.host",
    "spark.driver.port",
    "spark.executor.id",
    "spark.sql.warehouse.dir",
    "spark.eventLog.dir",
    "spark.hadoop.javax.jdo.option.ConnectionURL",
    "spark.driver.extraJavaOptions",
)
SEED_TYPES = [
    ("id", "bigint"),
    ("customer", "string"),
    ("amount", "double"),
    ("quantity", "bigint"),
    ("order_date", "date"),
    ("created_at", "timestamp"),
]


def invoke(args: list[str]) -> tuple[bool, float, str]:
    from dbt.cli.main import dbtRunner

    started = time.time()
    result = dbtRunner().invoke(args)
    seconds = time.time() - started
    error = "" if result.success else repr(result.exception or "one or more nodes failed")
    return bool(result.success), seconds, error


def spark_conf_in_effect() -> dict[str, str]:
    from pyspark import SparkContext

    context = SparkContext._active_spark_context
    if context is None:
        return {}
    conf = dict(context.getConf().getAll())
    for key in VOLATILE_CONF_KEYS:
        conf.pop(key, None)
    return conf


def read_run_results(target_path: Path) -> dict[str, Any]:
    data = json.loads((target_path / "run_results.json").read_text())
    generated = dt.datetime.fromisoformat(data["metadata"]["generated_at"].replace("Z", "+00:00"))
    if generated.tzinfo is None:
        generated = generated.replace(tzinfo=dt.timezone.utc)
    end = generated.timestamp()
    nodes = [
        {
            "unique_id": node["unique_id"],
            "status": node["status"],
            "execution_time": node["execution_time"],
        }
        for node in data["results"]
    ]
    return {
        "elapsed_s": data["elapsed_time"],
        "window": [end - data["elapsed_time"], end],
        "nodes": nodes,
    }


def statement_seconds(log_path: Path) -> list[float]:
    """Each statement's duration as dbt logged it ("SQL status: OK in 0.45 seconds"), for the
    last invocation in the log: the time inside the adapter's call into Spark."""
    text = log_path.read_text(encoding="utf-8", errors="replace")
    last = text[text.rfind("Running with dbt=") :]
    return [float(s) for s in re.findall(r"SQL status: \S+ in ([0-9.]+) seconds", last)]


def check_seed(table: str, csv_path: Path) -> dict[str, Any]:
    """Compare the loaded table with the CSV, value by value, types included."""
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    frame = spark.table(table)
    types = [(f.name, f.dataType.simpleString()) for f in frame.schema.fields]
    with csv_path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        expected = Counter(
            (
                int(r[0]),
                r[1],
                float(r[2]),
                int(r[3]),
                dt.date.fromisoformat(r[4]),
                dt.datetime.strptime(r[5], "%Y-%m-%d %H:%M:%S"),
            )
            for r in reader
        )
    actual = Counter(tuple(row) for row in frame.collect())
    missing = sum((expected - actual).values())
    extra = sum((actual - expected).values())
    return {
        "types_ok": types == SEED_TYPES,
        "types": types,
        "rows": sum(actual.values()),
        "missing": missing,
        "extra": extra,
        "exact": types == SEED_TYPES and missing == 0 and extra == 0,
    }


def measure(spec: dict[str, Any], result: dict[str, Any]) -> bool:
    """The spec's warm-up invocations, then its measured one, into `result`; False on failure."""
    for args in spec["warmup"]:
        ok, _, error = invoke(args)
        if not ok:
            result["error"] = f"warm-up {args[0]} failed: {error}"
            return False
    result["conf"] = spark_conf_in_effect()
    jvm_before, python_before = jvm_cpu_seconds(), time.process_time()
    ok, seconds, error = invoke(spec["measure"])
    # CPU used by the measured invocation: far less sensitive to other load than wall time.
    result["python_cpu_s"] = time.process_time() - python_before
    jvm_after = jvm_cpu_seconds()
    if jvm_before is not None and jvm_after is not None:
        result["jvm_cpu_s"] = jvm_after - jvm_before
    result["invoke_s"] = seconds
    result["peak_rss_mb"] = peak_rss_mb()  # this Python process's peak so far, warm-up included
    result.update(read_run_results(Path(spec["target_path"])))
    statements = statement_seconds(Path(spec["log_path"]) / "dbt.log")
    result["statements_logged"] = len(statements)
    result["statement_s"] = sum(statements)
    if not ok:
        result["error"] = f"measured {spec['measure'][0]} failed: {error}"
        return False
    if spec.get("check_seed"):
        check = spec["check_seed"]
        result["seed_check"] = check_seed(check["table"], Path(check["csv"]))
    result["ok"] = True
    return True


def main(spec_paths: list[str]) -> int:
    """The first spec's run starts Spark; the others (runs that join its process) follow in
    order, each stopping the rest if it fails. Every spec's result is written at the end."""
    specs = [json.loads(Path(path).read_text()) for path in spec_paths]
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    results: list[dict[str, Any]] = [{"ok": False} for _ in specs]
    try:
        for spec, result in zip(specs, results):
            if not measure(spec, result):
                return 1
        return 0
    finally:
        from pyspark import SparkContext

        context = SparkContext._active_spark_context
        app_id = context.applicationId if context is not None else None
        if context is not None:
            context.stop()
        for spec, result in zip(specs, results):
            if app_id is not None:
                result["app_id"] = app_id
            Path(spec["result_path"]).write_text(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
