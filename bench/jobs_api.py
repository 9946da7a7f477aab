"""One Python model with `submission_method: session` vs `workflow_job`, through the emulator.

    python bench/jobs_api.py                      # start-up 300 s scaled 1/60 (5 s), 1 repeat
    python bench/jobs_api.py --scale 1 --repeats 3

Both models do the same work (a 200,000-row aggregate written as a table) on the same local
Spark, in one dbt run. The workflow_job model goes the whole Jobs API way against the offline
Databricks REST emulator (tests/databricks_emulator): notebook upload, job create/reset, ACL,
run-now, polling every 0.5 s, the notebook executed on this process's Spark. Each emulated run
stays PENDING for a job cluster's start-up first: JOB_CLUSTER_STARTUP_S (300 s, a typical
classic job-cluster start on AWS/Azure, 3-7 minutes in practice) times --scale. The figure is
dbt's own timing of each model node (run_results.json `execution_time`); the ratio is also
projected to the unscaled start-up (measured minus scaled start-up plus 300 s). The last line
printed is `RESULT {json}`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

JOB_CLUSTER_STARTUP_S = 300.0
POLL_S = 0.5
MODEL = """
def model(dbt, session):
    dbt.config(materialized="table", submission_method="{method}")
    return spark.range(200000).selectExpr("id % 100 as k", "id").groupBy("k").count()
"""


def write_project(root: Path, spark_dir: Path, url: str, token: str) -> None:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        "name: bench_jobs_api\nversion: '1.0'\nprofile: bench\nconfig-version: 2\n"
    )
    for method in ("session", "workflow_job"):
        (root / "models" / f"py_{method}.py").write_text(MODEL.format(method=method))
    profile = {
        "bench": {
            "target": "dev",
            "outputs": {
                "dev": {
                    "type": "databricks_session",
                    "method": "session",
                    "schema": "bench_jobs_api",
                    "threads": 1,
                    "spark_local_dir": str(spark_dir),
                    "host": url,
                    "token": token,
                    "jobs_api_poll_interval": POLL_S,
                }
            },
        }
    }
    (root / "profiles.yml").write_text(json.dumps(profile))


def node_seconds(project: Path) -> dict[str, float]:
    results = json.loads((project / "target" / "run_results.json").read_text())
    return {
        r["unique_id"].rsplit(".", 1)[1]: float(r["execution_time"]) for r in results["results"]
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1 / 60, help="start-up scale (1 = 300 s)")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    startup = JOB_CLUSTER_STARTUP_S * args.scale

    from dbt.cli.main import dbtRunner

    from tests.databricks_emulator import DatabricksEmulator

    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    for name in [n for n in os.environ if n.startswith("DATABRICKS_")]:
        del os.environ[name]
    session_s, workflow_s = [], []
    with tempfile.TemporaryDirectory() as tmp, DatabricksEmulator(startup_seconds=startup) as emu:
        project = Path(tmp) / "project"
        write_project(project, Path(tmp) / "spark", emu.url, emu.token)
        base = ["--project-dir", str(project), "--profiles-dir", str(project)]
        for _ in range(args.repeats + 1):  # the first run warms Spark up and is not counted
            result = dbtRunner().invoke(["run", *base])
            if not result.success:
                print(f"RESULT {json.dumps({'ok': False, 'error': str(result.exception)})}")
                return 1
            seconds = node_seconds(project)
            session_s.append(seconds["py_session"])
            workflow_s.append(seconds["py_workflow_job"])
    session, workflow = statistics.median(session_s[1:]), statistics.median(workflow_s[1:])
    projected = (workflow - startup + JOB_CLUSTER_STARTUP_S) / session
    summary: dict[str, Any] = {
        "ok": True,
        "python_session_s": round(session, 3),
        "python_workflow_job_s": round(workflow, 3),
        "emulated_startup_s": round(startup, 3),
        "job_cluster_startup_s": JOB_CLUSTER_STARTUP_S,
        "python_workflow_vs_session": round(workflow / session, 2),
        "python_workflow_vs_session_at_300s": round(projected, 1),
    }
    print(
        f"session {session:.2f} s, workflow_job {workflow:.2f} s (emulated start-up "
        f"{startup:.1f} s): {workflow / session:.1f}x; projected at {JOB_CLUSTER_STARTUP_S:.0f} s "
        f"start-up: {projected:.0f}x"
    )
    print("RESULT " + json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
