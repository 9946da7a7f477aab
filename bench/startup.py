"""The `startup` workload: whole dbt commands, as a user runs them, ours against dbt-spark.

Each command runs in a fresh Python process (bench/startup_worker.py), with no warm-up:
1. `dbt parse --no-partial-parse` on the 100-model project (every file parsed, every macro
   loaded; it also writes the partial-parse state the next commands read);
2. `dbt parse` again with partial parsing on (checked: dbt must report no changes and skip
   parsing);
3. `dbt ls`;
4. `dbt run --select m0000` (one model), which starts local Spark the way the adapter does
   (the same Spark conf for both, as in every other workload) on a copy of the empty
   metastore.
The commands of one adapter and repeat share a target directory, so 2-4 use partial parsing as a
user's would. Each command runs for both adapters back to back, in the repeat's alternating
order. Figures: the whole process's wall time, its Python CPU (user + system of the dbt
process itself; Spark's JVM is a child process, reported apart) and its peak RSS.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from execution import adapter_path, run_worker
from figures import med, pick, ratio
from settings import BENCH, OURS, SPARK, Run, Settings
from specs import profile_yaml

WORKLOAD = "startup"
# (workload name, dbt sub-command, extra arguments), in the order each repeat runs them.
COMMANDS = (
    ("startup_parse", "parse", ("--no-partial-parse",)),
    ("startup_reparse", "parse", ()),
    ("startup_ls", "ls", ()),
    ("startup_run1", "run", ("--select", "m0000")),
)
# Per command and adapter: the RESULT key's suffix and the run's field it takes the median of.
MEASURES = (("ratio", "elapsed_s"), ("cpu_ratio", "python_cpu_s"), ("rss_ratio", "peak_rss_mb"))
WORKER = BENCH / "startup_worker.py"


def is_startup(run: Run) -> bool:
    return run.workload.startswith(WORKLOAD + "_")


def startup_runs(project: Path, repeat: int, order: list[str]) -> list[Run]:
    """One repeat: each command for each adapter in `order` (not the --baseline tree)."""
    adapters = [a for a in order if a in (OURS, SPARK)]
    return [
        Run(workload, adapter, 1, repeat, project, command)
        for workload, command, _ in COMMANDS
        for adapter in adapters
    ]


def state_dir(run: Run, settings: Settings) -> Path:
    """What one adapter's commands of one repeat share: profiles, target, logs, local Spark."""
    return settings.out / "startup" / f"{run.adapter}-r{run.repeat}"


def dbt_args(run: Run, state: Path) -> list[str]:
    extra = next(args for workload, _, args in COMMANDS if workload == run.workload)
    return [
        run.command,
        *("--project-dir", str(run.project), "--profiles-dir", str(state)),
        *("--target", "measure", "--target-path", str(state / "target")),
        *("--log-path", str(state / "logs"), "--no-use-colors", "--quiet"),
        *extra,
    ]


def write_startup_spec(run: Run, settings: Settings) -> Path:
    """The run's spec (its dbt command) and, once per adapter and repeat, the shared profile:
    the same profile, hence the same Spark conf, as every other workload's."""
    import yaml

    run_dir = settings.out / "runs" / run.name
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    state = state_dir(run, settings)
    if run.workload == COMMANDS[0][0]:
        if state.exists():
            shutil.rmtree(state)
        (state / "eventlog").mkdir(parents=True)
        profile = profile_yaml(run, state, settings.table_format)
        (state / "profiles.yml").write_text(yaml.safe_dump(profile))
    spec = {
        "args": dbt_args(run, state),
        "result_path": str(run_dir / "result.json"),
        "modules_path": str(run_dir / "modules.txt"),
    }
    path = run_dir / "spec.json"
    path.write_text(json.dumps(spec, indent=2))
    return path


def execute_startup(
    run: Run, spec: Path, metastore: Path | None, settings: Settings
) -> dict[str, Any]:
    """One command as a whole process; `elapsed_s` is its wall time, start to exit."""
    state = state_dir(run, settings)
    if run.command == "run" and metastore is not None:
        target = state / "spark" / "metastore_db"
        if not target.exists():
            shutil.copytree(metastore, target)
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = adapter_path(run.adapter, settings)
    started = time.perf_counter()
    returncode = run_worker(spec, env, settings, script=WORKER)
    wall = time.perf_counter() - started
    result_path = spec.parent / "result.json"
    result: dict[str, Any] = (
        json.loads(result_path.read_text()) if result_path.exists() else {"ok": False}
    )
    if returncode != 0 and not result.get("error"):
        result["error"] = f"exited with {returncode}; see {spec.parent / 'worker.log'}"
    if run.workload == "startup_reparse" and result.get("ok"):
        result["partial_parse_skipped"] = "PartialParsingSkipParsing" in result["partial_parse"]
    result.update(
        workload=run.workload,
        adapter=run.adapter,
        threads=run.threads,
        repeat=run.repeat,
        name=run.name,
        elapsed_s=wall,
        process_s=wall,
    )
    return result


def startup_figures(results: list[dict[str, Any]]) -> dict[str, Any]:
    """`startup_parse_ratio`, `startup_parse_cpu_ratio`, `startup_parse_rss_ratio` and the same
    for reparse, ls and run1 (ours ÷ dbt-spark, medians), each adapter's medians under
    `startup`, and whether the second parse skipped parsing in every run of both adapters."""
    out: dict[str, Any] = {}
    medians: dict[str, dict[str, dict[str, float | None]]] = {}
    for workload, _, _ in COMMANDS:
        per_adapter = {
            adapter: adapter_medians(results, workload, adapter) for adapter in (OURS, SPARK)
        }
        medians[workload.removeprefix(WORKLOAD + "_")] = per_adapter
        for suffix, field in MEASURES:
            out[f"{workload}_{suffix}"] = ratio(per_adapter[OURS][field], per_adapter[SPARK][field])
    out[WORKLOAD] = medians
    reparses = pick(results, workload="startup_reparse")
    out["startup_partial_parse_ok"] = (
        all(r.get("partial_parse_skipped") for r in reparses) if reparses else None
    )
    return out


def adapter_medians(
    results: list[dict[str, Any]], workload: str, adapter: str
) -> dict[str, float | None]:
    runs = pick(results, workload=workload, adapter=adapter)
    fields = [field for _, field in MEASURES] + ["jvm_cpu_s"]
    return {
        field: med([float(r[field]) for r in runs if r.get(field) is not None]) for field in fields
    }
