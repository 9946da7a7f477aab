"""The "each adapter with its own defaults" figure: the 100-model project with what each
adapter's user gets, beside the identical-settings runs (bench/specs.py).

Ours runs with its profile keys only (its local Spark defaults apply). dbt-spark's
`method: session` gets only what its user must add: nothing on parquet (its session enables
Hive support itself, with Derby and the warehouse in the working directory), and on Delta the
three settings delta-spark documents (the jars, the session extension, the catalog), with the
same jar files ours loads so jar resolution is not measured. Both get the bench's local[2]
master (the machine's two cores) and Spark's event log (for the busy time).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import projects
from settings import BASELINE, MASTER, SPARK, WARM_SCHEMA, Run

OWN = "p1_own"


def bench_only_conf(run_dir: Path) -> dict[str, str]:
    """What the bench adds for both adapters: a name and the event log, nothing that tunes."""
    return {
        "spark.app.name": "dbt-bench",
        "spark.eventLog.enabled": "true",
        "spark.eventLog.dir": (run_dir / "eventlog").as_uri(),
        "spark.eventLog.compress": "false",
    }


def dbt_spark_user_conf(table_format: str) -> dict[str, str]:
    """What a dbt-spark user adds to `server_side_parameters` for a working local project."""
    if table_format != "delta":
        return {}
    from dbt.adapters.databricks_session.spark import delta
    from dbt.adapters.databricks_session.spark.local import check_java

    return {
        "spark.jars": ",".join(delta.resolve_jars({}, check_java())),
        "spark.sql.extensions": delta.EXTENSION,
        "spark.sql.catalog.spark_catalog": delta.CATALOG,
    }


def output(run: Run, run_dir: Path, table_format: str, schema: str) -> dict[str, Any]:
    if run.adapter == SPARK:
        conf = {"spark.master": MASTER, **bench_only_conf(run_dir)}
        return {
            "type": "spark",
            "method": "session",
            "host": "NA",
            "schema": schema,
            "threads": run.threads,
            "server_side_parameters": {**conf, **dbt_spark_user_conf(table_format)},
        }
    return ours_output(run, run_dir, table_format, schema, bench_only_conf(run_dir))


def ours_output(
    run: Run, run_dir: Path, table_format: str, schema: str, spark_conf: dict[str, str]
) -> dict[str, Any]:
    """Our adapter's profile output in every bench run; only its `spark_conf` differs."""
    return {
        "type": "databricks_session",
        "method": "session",
        "schema": schema,
        "threads": run.threads,
        "spark_master": MASTER,
        "spark_local_dir": str(run_dir / "spark"),
        "spark_conf": spark_conf,
        "local_table_format": table_format,
    }


def profile_yaml(run: Run, run_dir: Path, table_format: str) -> dict[str, Any]:
    outputs = {
        target: output(run, run_dir, table_format, schema)
        for target, schema in (("warmup", WARM_SCHEMA), ("measure", run.schema))
    }
    return {projects.PROJECT_NAME: {"target": "measure", "outputs": outputs}}


def metastore_dir(run: Run, run_dir: Path) -> Path:
    """Where the run's Derby metastore lives: dbt-spark's own default is the working directory
    (the worker's is the run directory); ours is under `spark_local_dir`."""
    if run.workload == OWN and run.adapter == SPARK:
        return run_dir / "metastore_db"
    return run_dir / "spark" / "metastore_db"


def plan(p1_project: Path, repeat: int, order: list[str]) -> list[Run]:
    """The own-defaults runs of one repeat (the baseline tree has our defaults: left out)."""
    adapters = [a for a in order if a != BASELINE]
    return [Run(OWN, a, t, repeat, p1_project, "run") for t in (1, 4) for a in adapters]


def identical_settings_runs(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs meant to start Spark with one conf (own-defaults runs differ on purpose)."""
    return [r for r in results if r.get("workload") != OWN]
