"""Running: one run's worker process (its own local Spark), its result with Spark's busy time
from the event log, the shared empty metastore, and bench/jobs_api.py in its own process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from eventlog import busy_seconds, find_event_log, read_event_log
from own_defaults import metastore_dir
from settings import BASELINE, BENCH, OURS, REPO, RUN_TIMEOUT_S, Run, Settings
from specs import shared_spark_conf


def make_metastore_template(settings: Settings) -> Path:
    """Create an empty Hive metastore once (Derby schema creation takes 10-15 s) and copy it
    into every run, so each process spends that time once, outside any measurement anyway."""
    template = settings.out / "metastore-template"
    conf = shared_spark_conf(template, settings.table_format)
    conf.pop("spark.eventLog.enabled")
    script = (
        "import json, sys\n"
        "from pyspark.sql import SparkSession\n"
        "builder = SparkSession.builder\n"
        "for key, value in json.loads(sys.argv[1]).items():\n"
        "    builder = builder.config(key, value)\n"
        "spark = builder.getOrCreate()\n"
        "spark.sql('SHOW DATABASES').collect()\n"
        "spark.stop()\n"
    )
    (template / "spark").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [settings.python, "-c", script, json.dumps(conf)],
        cwd=template,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return template / "spark" / "metastore_db"


def adapter_path(adapter: str, settings: Settings) -> str:
    """PYTHONPATH for a run: "ours" imports the adapter of the tree this bench/ lives in (ahead
    of any installed copy), "baseline" the --baseline tree's; dbt-spark needs neither."""
    inherited = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if adapter == OURS:
        return os.pathsep.join([str(REPO), *inherited])
    if adapter == BASELINE and settings.baseline is not None:
        return os.pathsep.join([str(settings.baseline), *inherited])
    return os.pathsep.join(inherited)


def execute(
    members: list[tuple[Run, Path]], metastore: Path | None, settings: Settings
) -> list[dict[str, Any]]:
    """A run and the runs joining its process (plan.share_processes); a result for each."""
    run, spec = members[0]
    if run.workload.startswith("startup_"):  # whole commands, no warm-up: bench/startup.py
        from startup import execute_startup

        return [execute_startup(run, spec, metastore, settings)]
    return execute_process(members, metastore, settings)


def execute_process(
    members: list[tuple[Run, Path]], metastore: Path | None, settings: Settings
) -> list[dict[str, Any]]:
    """One worker process for a host run and the runs that join it (all of one adapter), in
    order; a result for each."""
    host, host_spec = members[0]
    host_dir = host_spec.parent
    if metastore is not None:
        shutil.copytree(metastore, metastore_dir(host, host_dir))
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = adapter_path(host.adapter, settings)
    started = time.time()
    returncode = run_worker(host_spec, env, settings, more_specs=[spec for _, spec in members[1:]])
    process_s = time.time() - started
    return [member_result(run, spec, host_dir, returncode, process_s) for run, spec in members]


def member_result(
    run: Run, spec: Path, host_dir: Path, returncode: int, process_s: float
) -> dict[str, Any]:
    run_dir = spec.parent
    result_path = run_dir / "result.json"
    result: dict[str, Any] = (
        json.loads(result_path.read_text()) if result_path.exists() else {"ok": False}
    )
    if returncode != 0 and not result.get("error"):
        result["error"] = f"worker exited with {returncode}; see {host_dir / 'worker.log'}"
    result.update(
        workload=run.workload,
        adapter=run.adapter,
        threads=run.threads,
        repeat=run.repeat,
        name=run.name,
        host=run.host,
        process_s=process_s,  # the whole worker process, shared by its runs
    )
    if result.get("app_id") and result.get("window"):
        add_spark_activity(result, host_dir)
    if run.workload != "python":
        result.pop("nodes", None)
    if run.command == "seed" and result.get("ok"):
        result["rows"] = result.get("seed_check", {}).get("rows")
    return result


def run_worker(
    spec: Path,
    env: dict[str, str],
    settings: Settings,
    script: Path = BENCH / "worker.py",
    more_specs: list[Path] | None = None,
) -> int:
    """bench/worker.py (or `script`) on one spec (and the specs of runs joining its process),
    its output in the first spec's worker.log; its exit status."""
    run_dir = spec.parent
    with (run_dir / "worker.log").open("w") as log:
        proc = subprocess.Popen(
            [settings.python, str(script), str(spec), *map(str, more_specs or [])],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=run_dir,
            env=env,
            start_new_session=True,
        )
        try:
            return proc.wait(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the worker and its JVM, nothing else
            return proc.wait()


def add_spark_activity(result: dict[str, Any], run_dir: Path) -> None:
    """Spark's busy time inside the measured window, from its own event log."""
    log_files = find_event_log(run_dir / "eventlog", result["app_id"])
    if not log_files:
        return
    activity = read_event_log(log_files)
    low, high = result["window"]
    window = (float(low), float(high))
    result["spark_sql_s"] = busy_seconds(activity.sql, window)
    result["spark_jobs_s"] = busy_seconds(activity.jobs, window)
    result["spark_busy_s"] = busy_seconds(activity.sql + activity.jobs, window)
    result["sql_executions"] = sum(1 for start, _ in activity.sql if low <= start <= high)


def jobs_api_figures(settings: Settings) -> dict[str, Any]:
    """bench/jobs_api.py in its own process (its own local Spark and emulator)."""
    proc = subprocess.run(
        [settings.python, str(BENCH / "jobs_api.py")],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    (settings.out / "jobs_api.log").write_text(proc.stdout + proc.stderr)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        return {"ok": False, "error": f"bench/jobs_api.py exited {proc.returncode}"}
    figures_: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    print(f"jobs_api: {figures_}", flush=True)
    return figures_
