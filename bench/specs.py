"""Each run's directory: the profiles.yml both adapters get (one Spark conf) and the spec that
bench/worker.py follows (warm-up, the measured dbt command, where to write its result)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import own_defaults
import projects
from settings import MASTER, SPARK, WARM_SCHEMA, Run, Settings


def bench_extra_conf(run_dir: Path) -> dict[str, str]:
    """Added to our adapter's own local Spark defaults, for both adapters."""
    return {
        **own_defaults.bench_only_conf(run_dir),
        # dbt-spark forces this on every statement; give our adapter the same.
        "spark.sql.ansi.enabled": "false",
    }


def shared_spark_conf(run_dir: Path, table_format: str) -> dict[str, str]:
    """The complete Spark conf our adapter starts local Spark with (its defaults, warehouse,
    Hive metastore on Derby, Delta's jars and settings for `delta`, plus bench_extra_conf):
    dbt-spark gets all of it as `server_side_parameters`, so both run on identically configured
    Spark (with Delta, the projects' `file_format: delta` makes both adapters' tables Delta)."""
    from dbt.adapters.databricks_session.spark.local import LocalSparkSettings, check_java

    conf = LocalSparkSettings(
        master=MASTER,
        local_dir=str(run_dir / "spark"),
        conf=bench_extra_conf(run_dir),
        table_format=table_format,
    ).startup_conf(check_java())
    conf["spark.master"] = MASTER
    return conf


def profile_yaml(run: Run, run_dir: Path, table_format: str) -> dict[str, Any]:
    """`run_dir` is where the process's Spark keeps its files: the host run's directory for a
    run that joins another's process, so its profile names the Spark already running."""
    if run.workload == own_defaults.OWN:
        return own_defaults.profile_yaml(run, run_dir, table_format)
    outputs: dict[str, Any] = {}
    for target, schema in (("warmup", WARM_SCHEMA), ("measure", run.schema)):
        if run.adapter != SPARK:
            outputs[target] = own_defaults.ours_output(
                run, run_dir, table_format, schema, bench_extra_conf(run_dir)
            )
        else:
            outputs[target] = {
                "type": "spark",
                "method": "session",
                "host": "NA",
                "schema": schema,
                "threads": run.threads,
                "server_side_parameters": shared_spark_conf(run_dir, table_format),
            }
    return {projects.PROJECT_NAME: {"target": "measure", "outputs": outputs}}


def dbt_args(command: str, project: Path, run_dir: Path, target: str, name: str) -> list[str]:
    return [
        command,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(run_dir),
        "--target",
        target,
        "--target-path",
        str(run_dir / f"target-{name}"),
        "--log-path",
        str(run_dir / "logs"),
        "--no-use-colors",
        "--no-partial-parse",
    ]


def write_spec(run: Run, settings: Settings, paths: dict[str, Path]) -> Path:
    import yaml

    if run.workload.startswith("startup_"):  # whole commands, no warm-up: bench/startup.py
        from startup import write_startup_spec

        return write_startup_spec(run, settings)
    run_dir = settings.out / "runs" / run.name
    if run_dir.exists():
        shutil.rmtree(run_dir)
    spark_dir = settings.out / "runs" / run.host if run.host else run_dir
    (spark_dir / "eventlog").mkdir(parents=True, exist_ok=True)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "profiles.yml").write_text(
        yaml.safe_dump(profile_yaml(run, spark_dir, settings.table_format))
    )
    # A run joining another's process finds Spark started and warmed up.
    warmup = [] if run.host else [dbt_args("build", paths["warmup"], run_dir, "warmup", "warmup")]
    if run.workload == "python":
        # The Python path's one-time costs (pyspark.pandas and Connect imports the materialization
        # code makes) stay out of the measured run, as the SQL path's do.
        warmup.append(dbt_args("run", run.project, run_dir, "warmup", "warmup-python"))
    spec: dict[str, Any] = {
        "run": run.name,
        # Starts Spark, then builds a 3-row seed and 10 models (none where the run joins a host).
        "warmup": warmup,
        "host": run.host,
        "measure": dbt_args(run.command, run.project, run_dir, "measure", "measure"),
        "target_path": str(run_dir / "target-measure"),
        "log_path": str(run_dir / "logs"),
        "result_path": str(run_dir / "result.json"),
    }
    if run.command == "seed":
        spec["check_seed"] = {
            "table": f"spark_catalog.{run.schema}.{projects.SEED_NAME}",
            "csv": str(run.project / "seeds" / f"{projects.SEED_NAME}.csv"),
        }
    path = run_dir / "spec.json"
    path.write_text(json.dumps(spec, indent=2))
    return path
