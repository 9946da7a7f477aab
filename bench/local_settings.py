"""Measures candidate local Spark settings on the bench's model shape, each in a fresh process.

    python bench/local_settings.py [--format parquet|delta] [--rounds 2] [--groups 3]

Each candidate is the adapter's local conf plus (or minus) some settings; every process starts
local[2] Spark with a Hive metastore on Derby, builds one warm-up group of the 100-model
project's models (bench/projects.py: a root, a chain of 4, a fan-out of 4, a fan-in join), then
times `--groups` more groups. Candidates alternate order from round to round; the figures are
each candidate's median wall and Spark-JVM CPU seconds per model (CPU is far less disturbed by other
load on the machine) and their ratios to `base` in the same run. Not part of
bench/run.py: docs/performance.md reports what it measured and which settings were kept.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(BENCH.parent))

import projects  # noqa: E402

# name -> settings changed from the adapter's local conf (None: the key removed).
CANDIDATES: dict[str, dict[str, str | None]] = {
    "base": {},
    "shuffle_2": {"spark.sql.shuffle.partitions": "2"},
    "no_aqe": {"spark.sql.adaptive.enabled": "false"},
    "committer_v2": {"spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version": "2"},
    "raw_local_fs": {"spark.hadoop.fs.file.impl": "org.apache.hadoop.fs.RawLocalFileSystem"},
    "no_summary": {"spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false"},
    "hive_stats_on": {"spark.hadoop.hive.stats.autogather": None},
    "dn_cache": {"spark.hadoop.datanucleus.cache.level2.type": "soft"},
    "no_codegen": {"spark.sql.codegen.wholeStage": "false"},
}


def model_statements(group: int, fmt: str) -> list[str]:
    """The group's 10 models as `create or replace`/`drop + create` statements, in order."""
    out = []
    for index in range(group * projects.GROUP_SIZE, (group + 1) * projects.GROUP_SIZE):
        sql = projects.model_sql(index).replace("{{ ref('", "").replace("') }}", "")
        name = f"m{index:04d}"
        if fmt == "delta":
            out.append(f"create or replace table {name} using delta as {sql}")
        else:
            out += [f"drop table if exists {name}", f"create table {name} using parquet as {sql}"]
    return out


CHILD = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[3])
from pyspark.sql import SparkSession
conf, statements, warm = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[4])
builder = SparkSession.builder.master("local[2]")
for key, value in conf.items():
    builder = builder.config(key, value)
spark = builder.getOrCreate()
spark.sql("create database if not exists probe")
spark.sql("use probe")
for sql in statements[:warm]:
    spark.sql(sql)
def jvm_cpu():  # user + system seconds of the Spark JVM: far less sensitive to load than wall
    pid = spark.sparkContext._gateway.proc.pid
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
started, cpu = time.time(), jvm_cpu()
for sql in statements[warm:]:
    spark.sql(sql)
print("SECONDS", time.time() - started, jvm_cpu() - cpu)
spark.stop()
"""


def candidate_conf(name: str, fmt: str, root: Path) -> dict[str, str]:
    from dbt.adapters.databricks_session.spark.local import LocalSparkSettings, check_java

    conf = LocalSparkSettings(local_dir=str(root), table_format=fmt).startup_conf(check_java())
    for key, value in CANDIDATES[name].items():
        if value is None:
            conf.pop(key, None)
        else:
            conf[key] = value
    return conf


def measure(name: str, fmt: str, groups: int) -> tuple[float, float]:
    """Wall and JVM CPU seconds per model."""
    statements = [s for g in range(groups + 1) for s in model_statements(g, fmt)]
    warm = len(model_statements(0, fmt))
    with tempfile.TemporaryDirectory(prefix="dbt-probe-") as work:
        conf = candidate_conf(name, fmt, Path(work))
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(conf), json.dumps(statements)]
            + [str(BENCH.parent), str(warm)],
            capture_output=True,
            text=True,
            cwd=work,
            timeout=900,
            check=False,
        )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("SECONDS")]
    if not lines:
        raise RuntimeError(f"{name}: {proc.stderr[-2000:]}")
    wall, cpu = (float(x) / (groups * projects.GROUP_SIZE) for x in lines[-1].split()[1:3])
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--format", choices=("parquet", "delta"), default="parquet")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--groups", type=int, default=3)
    parser.add_argument("--only", help="comma-separated candidate names (base is always run)")
    args = parser.parse_args()
    names = ["base"] + [n for n in (args.only or ",".join(CANDIDATES)).split(",") if n != "base"]
    times: dict[str, list[float]] = {name: [] for name in names}
    cpus: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(args.rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            wall, cpu = measure(name, args.format, args.groups)
            times[name].append(wall)
            cpus[name].append(cpu)
            print(f"round {round_} {name}: {wall:.3f} s, JVM CPU {cpu:.3f} s/model", flush=True)
    wall = {name: statistics.median(t) for name, t in times.items()}
    cpu = {name: statistics.median(t) for name, t in cpus.items()}
    result = {
        name: {
            "s_per_model": round(wall[name], 3),
            "vs_base": round(wall[name] / wall["base"], 3),
            "cpu_s_per_model": round(cpu[name], 3),
            "cpu_vs_base": round(cpu[name] / cpu["base"], 3),
        }
        for name in names
    }
    print("RESULT " + json.dumps({"format": args.format, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
