"""Session mode against dbt-spark's `method: session`, side by side in one run.

    python bench/run.py                     # full run (about 30 minutes on 2 busy cores)
    python bench/run.py --quick             # one repeat, no 1,000-model run (about 7 minutes)
    python bench/run.py --quick --dry-run   # generate projects and run specs; run no dbt

Every measured dbt invocation runs in its own Python process whose local Spark is started by
the adapter under test, with the same Spark settings for both adapters (checked after the run);
the two adapters alternate order from repeat to repeat. Each process first warms up (Spark
start, a 10-model project and a 3-row seed), then runs the measured command. The time compared
is dbt's own `elapsed_time` from run_results.json: everything the command does after parsing
(schema creation, relation cache, every node), with Spark up. See docs/performance.md.

"ours" is the adapter of the tree this bench/ lives in (its root goes first on PYTHONPATH, ahead
of any installed copy); dbt-spark is the installed one. The last line printed is
`RESULT {json}` with the figures named in the issue.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(REPO))  # this tree's adapter, for its local Spark defaults

import projects  # noqa: E402
from eventlog import busy_seconds, find_event_log, read_event_log  # noqa: E402

OURS = "ours"
SPARK = "dbt-spark"
BASELINE = "baseline"  # our adapter from another tree (--baseline), to measure a change
# jobs_api: a Python model through `session` vs `workflow_job` (bench/jobs_api.py, the emulator)
WORKLOADS = ("p1", "seed", "python", "jobs_api", "p5")
MASTER = "local[2]"
WARM_SCHEMA = "bench_warm"
SCHEMA = "bench"
P1_MODELS = 100
P5_THREADS = 4
RUN_TIMEOUT_S = 3600
TARGETS = {
    "p1_ratio_t4": ("<=", 1.0),
    "p1_ratio_t1": ("<=", 1.0),
    "overhead_share": ("<=", 0.15),
    "seed_speedup": (">=", 10.0),
    "p5_scale": ("<=", 1.2),
    "p5_ratio": ("<=", 0.8),
}


@dataclass(frozen=True)
class Run:
    workload: str  # p1, seed, seed_small, python, p5
    adapter: str
    threads: int
    repeat: int
    project: Path
    command: str  # the measured dbt sub-command: run or seed

    @property
    def name(self) -> str:
        return f"{self.workload}-t{self.threads}-{self.adapter}-r{self.repeat}"


@dataclass
class Settings:
    quick: bool
    dry_run: bool
    repeats: int
    p5_repeats: int
    p5_models: int
    seed_rows: int
    peer_seed_rows: int
    workloads: tuple[str, ...]
    out: Path
    projects: Path
    python: str
    baseline: Path | None = None
    table_format: str = "parquet"  # both adapters' tables: parquet, or Delta from the same jars
    results: list[dict[str, Any]] = field(default_factory=list)


# -- arguments -----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, no 1,000-model run")
    parser.add_argument("--dry-run", action="store_true", help="generate and validate; run no dbt")
    parser.add_argument("--repeats", type=int, help="repeats per adapter (default 3, quick 1)")
    parser.add_argument("--p5-repeats", type=int, default=1, help="repeats of the p5 run")
    parser.add_argument("--p5-models", type=int, default=1000, help="models in the p5 run")
    parser.add_argument("--seed-rows", type=int, default=100_000, help="rows of our seed")
    parser.add_argument(
        "--peer-seed-rows",
        type=int,
        default=2000,
        help="rows of dbt-spark's seed (its seed load is quadratic in rows: see the docs)",
    )
    parser.add_argument(
        "--workloads", help=f"subset of {','.join(WORKLOADS)} (default: all; quick: no p5)"
    )
    parser.add_argument("--out", type=Path, help="results directory (default bench/results/<time>)")
    parser.add_argument(
        "--projects-dir", type=Path, default=BENCH / "projects", help="where projects are generated"
    )
    parser.add_argument("--python", default=sys.executable, help="Python with both adapters")
    parser.add_argument(
        "--table-format",
        choices=("parquet", "delta"),
        default="parquet",
        help="both adapters' table format (delta: the same Delta jars and settings for both)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a tree holding another version of dbt/adapters/databricks_session (e.g. from "
        "`git archive`): also run it, as adapter 'baseline', to measure an adapter change",
    )
    args = parser.parse_args(argv)

    workloads = (
        tuple(w.strip() for w in args.workloads.split(",") if w.strip())
        if args.workloads
        else (WORKLOADS[:-1] if args.quick else WORKLOADS)
    )
    unknown = [w for w in workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {','.join(WORKLOADS)}")
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 3)
    for name, value in (
        ("--repeats", repeats),
        ("--p5-repeats", args.p5_repeats),
        ("--seed-rows", args.seed_rows),
        ("--peer-seed-rows", args.peer_seed_rows),
    ):
        if value < 1:
            parser.error(f"{name} must be at least 1")
    if args.p5_models < P1_MODELS or args.p5_models % projects.GROUP_SIZE:
        parser.error(f"--p5-models must be a multiple of {projects.GROUP_SIZE}, >= {P1_MODELS}")
    if not Path(args.python).exists():
        parser.error(f"--python {args.python} does not exist")
    if args.baseline and not (args.baseline / "dbt/adapters/databricks_session").is_dir():
        parser.error(f"--baseline {args.baseline} holds no dbt/adapters/databricks_session")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Settings(
        quick=args.quick,
        dry_run=args.dry_run,
        repeats=repeats,
        p5_repeats=args.p5_repeats,
        p5_models=args.p5_models,
        seed_rows=args.seed_rows,
        peer_seed_rows=args.peer_seed_rows,
        workloads=workloads,
        out=(args.out or BENCH / "results" / stamp).resolve(),
        projects=args.projects_dir.resolve(),
        python=args.python,
        baseline=args.baseline.resolve() if args.baseline else None,
        table_format=args.table_format,
    )


# -- projects and plan ---------------------------------------------------------------------------


def generate_projects(settings: Settings) -> dict[str, Path]:
    root = settings.projects
    paths = {"warmup": projects.write_warmup_project(root / "warmup")}
    if "p1" in settings.workloads:
        paths["p1"] = projects.write_models_project(root / "p1", P1_MODELS)
    if "p5" in settings.workloads:
        paths["p5"] = projects.write_models_project(root / "p5", settings.p5_models)
    if "seed" in settings.workloads:
        paths["seed"] = projects.write_seed_project(root / "seed", settings.seed_rows)
        paths["seed_small"] = projects.write_seed_project(
            root / "seed_small", settings.peer_seed_rows
        )
    if "python" in settings.workloads:
        paths["python"] = projects.write_python_project(root / "python")
    return paths


def alternate(settings: Settings, repeat: int) -> list[str]:
    """The adapters in the order of this repeat: rotated by one each repeat."""
    adapters = [OURS, SPARK] + ([BASELINE] if settings.baseline else [])
    shift = repeat % len(adapters)
    return adapters[shift:] + adapters[:shift]


def plan_runs(settings: Settings, paths: dict[str, Path]) -> list[Run]:
    """Runs of the adapters being compared are adjacent in time, and their order rotates from
    repeat to repeat, so drifting machine load falls on all of them alike."""
    runs: list[Run] = []
    for repeat in range(settings.repeats):
        order = alternate(settings, repeat)
        if "p1" in settings.workloads:
            for threads in (1, 4):
                runs += [Run("p1", a, threads, repeat, paths["p1"], "run") for a in order]
        if "seed" in settings.workloads:
            # dbt-spark loads only the small seed (its seed load is quadratic in rows); ours
            # loads both, so that one figure compares like with like.
            big, small = paths["seed"], paths["seed_small"]
            runs += [Run("seed", a, 1, repeat, big, "seed") for a in order if a != SPARK]
            runs += [Run("seed_small", a, 1, repeat, small, "seed") for a in order if a != BASELINE]
        if "python" in settings.workloads:
            runs += [
                Run("python", a, 1, repeat, paths["python"], "run") for a in order if a != SPARK
            ]
    if "p5" in settings.workloads:
        for repeat in range(settings.p5_repeats):
            order = alternate(settings, repeat)
            runs += [Run("p5", a, P5_THREADS, repeat, paths["p5"], "run") for a in order]
    return runs


# -- profiles and specs --------------------------------------------------------------------------


def bench_extra_conf(run_dir: Path) -> dict[str, str]:
    """Added to our adapter's own local Spark defaults, for both adapters."""
    return {
        "spark.app.name": "dbt-bench",
        "spark.eventLog.enabled": "true",
        "spark.eventLog.dir": (run_dir / "eventlog").as_uri(),
        "spark.eventLog.compress": "false",
        # dbt-spark forces this on every statement; give our adapter the same.
        "spark.sql.ansi.enabled": "false",
    }


def shared_spark_conf(run_dir: Path, table_format: str) -> dict[str, str]:
    """The complete Spark conf our adapter starts local Spark with (its defaults, warehouse,
    Hive metastore on Derby, Delta's jars and settings for `delta`, plus bench_extra_conf):
    dbt-spark gets all of it as `server_side_parameters`, so both run on identically configured
    Spark (with Delta, `spark.sql.sources.default` makes dbt-spark's tables Delta too)."""
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
    outputs: dict[str, Any] = {}
    for target, schema in (("warmup", WARM_SCHEMA), ("measure", SCHEMA)):
        if run.adapter != SPARK:
            outputs[target] = {
                "type": "databricks_session",
                "method": "session",
                "schema": schema,
                "threads": run.threads,
                "spark_master": MASTER,
                "spark_local_dir": str(run_dir / "spark"),
                "spark_conf": bench_extra_conf(run_dir),
                "local_table_format": table_format,
            }
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

    run_dir = settings.out / "runs" / run.name
    if run_dir.exists():
        shutil.rmtree(run_dir)
    (run_dir / "eventlog").mkdir(parents=True)
    (run_dir / "profiles.yml").write_text(
        yaml.safe_dump(profile_yaml(run, run_dir, settings.table_format))
    )
    spec: dict[str, Any] = {
        "run": run.name,
        # One invocation: starts Spark, then builds a 3-row seed and 10 models.
        "warmup": [dbt_args("build", paths["warmup"], run_dir, "warmup", "warmup")],
        "measure": dbt_args(run.command, run.project, run_dir, "measure", "measure"),
        "target_path": str(run_dir / "target-measure"),
        "log_path": str(run_dir / "logs"),
        "result_path": str(run_dir / "result.json"),
    }
    if run.command == "seed":
        spec["check_seed"] = {
            "table": f"spark_catalog.{SCHEMA}.{projects.SEED_NAME}",
            "csv": str(run.project / "seeds" / f"{projects.SEED_NAME}.csv"),
        }
    path = run_dir / "spec.json"
    path.write_text(json.dumps(spec, indent=2))
    return path


# -- running -------------------------------------------------------------------------------------


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


def execute(run: Run, spec: Path, metastore: Path | None, settings: Settings) -> dict[str, Any]:
    run_dir = spec.parent
    if metastore is not None:
        shutil.copytree(metastore, run_dir / "spark" / "metastore_db")
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = adapter_path(run.adapter, settings)
    started = time.time()
    with (run_dir / "worker.log").open("w") as log:
        proc = subprocess.Popen(
            [settings.python, str(BENCH / "worker.py"), str(spec)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=run_dir,
            env=env,
            start_new_session=True,
        )
        try:
            returncode = proc.wait(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the worker and its JVM, nothing else
            returncode = proc.wait()
    result_path = run_dir / "result.json"
    result: dict[str, Any] = (
        json.loads(result_path.read_text()) if result_path.exists() else {"ok": False}
    )
    if returncode != 0 and not result.get("error"):
        result["error"] = f"worker exited with {returncode}; see {run_dir / 'worker.log'}"
    result.update(
        workload=run.workload,
        adapter=run.adapter,
        threads=run.threads,
        repeat=run.repeat,
        name=run.name,
        process_s=time.time() - started,
    )
    if result.get("app_id") and result.get("window"):
        add_spark_activity(result, run_dir)
    if run.workload != "python":
        result.pop("nodes", None)
    if run.command == "seed" and result.get("ok"):
        result["rows"] = result.get("seed_check", {}).get("rows")
    return result


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


# -- figures -------------------------------------------------------------------------------------


def pick(results: list[dict[str, Any]], **where: Any) -> list[dict[str, Any]]:
    return [r for r in results if r.get("ok") and all(r.get(k) == v for k, v in where.items())]


def med(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def median_elapsed(results: list[dict[str, Any]], **where: Any) -> float | None:
    return med([r["elapsed_s"] for r in pick(results, **where)])


def min_elapsed(results: list[dict[str, Any]], **where: Any) -> float | None:
    times = [r["elapsed_s"] for r in pick(results, **where)]
    return min(times) if times else None


def figures(settings: Settings) -> dict[str, Any]:
    res = settings.results
    out: dict[str, Any] = {}
    for threads in (1, 4):
        ours = median_elapsed(res, workload="p1", adapter=OURS, threads=threads)
        theirs = median_elapsed(res, workload="p1", adapter=SPARK, threads=threads)
        out[f"p1_ratio_t{threads}"] = ratio(ours, theirs)
        out[f"p1_ratio_t{threads}_of_mins"] = ratio(
            min_elapsed(res, workload="p1", adapter=OURS, threads=threads),
            min_elapsed(res, workload="p1", adapter=SPARK, threads=threads),
        )
        # CPU (Python + JVM) of the whole measured invocation: less sensitive to other load on
        # the machine than wall time, and what decides wall time once both cores are busy.
        out[f"p1_cpu_ratio_t{threads}"] = ratio(
            med([cpu_seconds(r) for r in pick(res, workload="p1", adapter=OURS, threads=threads)]),
            med([cpu_seconds(r) for r in pick(res, workload="p1", adapter=SPARK, threads=threads)]),
        )
    for threads, key in ((1, "overhead_share"), (4, "overhead_share_t4")):
        out[key] = overhead_share(res, OURS, threads)
    # The same figure for dbt-spark, for comparison (not a target).
    out["overhead_share_dbt_spark"] = overhead_share(res, SPARK, 1)
    # Where our t1 wall goes (medians): Spark executing, inside Spark calls but before execution
    # starts (parse, analysis, the JVM round trip), and outside any Spark call (dbt + adapter).
    ours_t1 = [r for r in pick(res, workload="p1", adapter=OURS, threads=1) if "spark_busy_s" in r]
    if ours_t1:
        out["p1_t1_split"] = {
            "spark_executing": med([r["spark_busy_s"] / r["elapsed_s"] for r in ours_t1]),
            "spark_call_not_executing": med(
                [(r["statement_s"] - r["spark_busy_s"]) / r["elapsed_s"] for r in ours_t1]
            ),
            "outside_spark_calls": med(
                [(r["elapsed_s"] - r["statement_s"]) / r["elapsed_s"] for r in ours_t1]
            ),
        }
    ours_big = median_elapsed(res, workload="seed", adapter=OURS)
    ours_small = median_elapsed(res, workload="seed_small", adapter=OURS)
    theirs_small = median_elapsed(res, workload="seed_small", adapter=SPARK)
    if ours_big and theirs_small:
        # dbt-spark's rows/s only falls as a seed grows, so this is a lower bound of the
        # speedup at `seed_rows` rows.
        ours_rate = settings.seed_rows / ours_big
        theirs_rate = settings.peer_seed_rows / theirs_small
        out["seed_speedup"] = ours_rate / theirs_rate
        out["seed_rows_per_s"] = {OURS: ours_rate, SPARK: theirs_rate}
    else:
        out["seed_speedup"] = None
    out["seed_speedup_same_rows"] = ratio(theirs_small, ours_small)
    out["seed_rows"] = {OURS: settings.seed_rows, SPARK: settings.peer_seed_rows}
    checks = [r.get("seed_check", {}) for r in pick(res, adapter=OURS) if "seed_check" in r]
    out["seed_exact"] = all(c.get("exact") for c in checks) if checks else None
    if "p5" in settings.workloads:
        ours_p5 = median_elapsed(res, workload="p5", adapter=OURS)
        theirs_p5 = median_elapsed(res, workload="p5", adapter=SPARK)
        ours_p1 = median_elapsed(res, workload="p1", adapter=OURS, threads=P5_THREADS)
        per_model_p5 = ours_p5 / settings.p5_models if ours_p5 is not None else None
        per_model_p1 = ours_p1 / P1_MODELS if ours_p1 is not None else None
        out["p5_scale"] = ratio(per_model_p5, per_model_p1)
        out["p5_ratio"] = ratio(ours_p5, theirs_p5)
    else:
        out["p5_scale"] = out["p5_ratio"] = None
    out["python_model_s"] = python_model_seconds(res, OURS)
    if settings.baseline is not None:
        out["vs_baseline"] = {
            **{
                f"p1_t{threads}": ratio(
                    median_elapsed(res, workload="p1", adapter=OURS, threads=threads),
                    median_elapsed(res, workload="p1", adapter=BASELINE, threads=threads),
                )
                for threads in (1, 4)
            },
            **{
                workload: ratio(
                    median_elapsed(res, workload=workload, adapter=OURS),
                    median_elapsed(res, workload=workload, adapter=BASELINE),
                )
                for workload in ("seed", "p5")
            },
            "python_model": ratio(
                python_model_seconds(res, OURS), python_model_seconds(res, BASELINE)
            ),
        }
    out["same_spark_conf"] = same_conf(res)
    out["table_format"] = settings.table_format
    out["failed_runs"] = [r["name"] for r in res if not r.get("ok")]
    out["mode"] = "quick" if settings.quick else "full"
    out["repeats"] = settings.repeats
    return rounded(out)


def overhead_share(results: list[dict[str, Any]], adapter: str, threads: int) -> float | None:
    """Median over the p1 runs of (wall - Spark busy) / wall."""
    runs = pick(results, workload="p1", adapter=adapter, threads=threads)
    runs = [r for r in runs if r.get("spark_busy_s") is not None]
    return med([(r["elapsed_s"] - r["spark_busy_s"]) / r["elapsed_s"] for r in runs])


def cpu_seconds(run: dict[str, Any]) -> float:
    return float(run.get("python_cpu_s", 0.0)) + float(run.get("jvm_cpu_s", 0.0))


def python_model_seconds(results: list[dict[str, Any]], adapter: str) -> float | None:
    return med(
        [
            node["execution_time"]
            for r in pick(results, workload="python", adapter=adapter)
            for node in r.get("nodes", [])
            if node["unique_id"].endswith(".py_trivial")
        ]
    )


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


def same_conf(results: list[dict[str, Any]]) -> bool | None:
    """Did every run start Spark with the same settings (paths and ports aside)?"""
    confs = {json.dumps(r["conf"], sort_keys=True) for r in results if r.get("conf")}
    return len(confs) == 1 if confs else None


def conf_differences(results: list[dict[str, Any]]) -> list[str]:
    confs = [r["conf"] for r in results if r.get("conf")]
    keys: set[str] = set().union(*confs) if confs else set()
    return sorted(k for k in keys if len({c.get(k) for c in confs}) > 1)


def table(settings: Settings) -> str:
    header = ["workload", "adapter", "thr", "ok", "min s", "median s", "spark s", "stmt s"]
    header += ["py cpu s", "jvm cpu s", "rows/s"]
    rows: list[list[str]] = [header]
    groups: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for r in settings.results:
        groups.setdefault((r["workload"], r["adapter"], r["threads"]), []).append(r)

    def median_of(good: list[dict[str, Any]], key: str) -> str:
        values = [r[key] for r in good if r.get(key) is not None]
        return f"{statistics.median(values):.2f}" if values else "-"

    for (workload, adapter, threads), group in groups.items():
        good = [r for r in group if r.get("ok")]
        times = [r["elapsed_s"] for r in good]
        rates = [r["rows"] / r["elapsed_s"] for r in good if r.get("rows")]
        rows.append(
            [
                workload,
                adapter,
                str(threads),
                f"{len(good)}/{len(group)}",
                f"{min(times):.2f}" if times else "-",
                f"{statistics.median(times):.2f}" if times else "-",
                median_of(good, "spark_busy_s"),
                median_of(good, "statement_s"),
                median_of(good, "python_cpu_s"),
                median_of(good, "jvm_cpu_s"),
                f"{statistics.median(rates):.0f}" if rates else "-",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in rows)


def verdicts(result: dict[str, Any]) -> str:
    lines = []
    for key, (op, target) in TARGETS.items():
        value = result.get(key)
        if value is None:
            lines.append(f"{key:15} not measured    (target {op} {target})")
            continue
        met = value <= target if op == "<=" else value >= target
        verdict = "met" if met else "NOT MET"
        lines.append(f"{key:15} {value:9.3f}  target {op} {target:<5} {verdict}")
    return "\n".join(lines)


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


# -- main ----------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    paths = generate_projects(settings)
    runs = plan_runs(settings, paths)
    specs = [(run, write_spec(run, settings, paths)) for run in runs]
    print(f"bench: {len(runs)} runs, results in {settings.out}", flush=True)
    if settings.dry_run:
        for run, spec in specs:
            print(f"  {run.name}: {spec}")
        summary = {
            "dry_run": True,
            "runs": len(runs),
            "workloads": list(settings.workloads),
            "projects": {name: str(path) for name, path in paths.items()},
        }
        print("RESULT " + json.dumps(summary))
        return 0
    metastore = make_metastore_template(settings)
    with (settings.out / "runs.jsonl").open("w") as log:
        for index, (run, spec) in enumerate(specs, start=1):
            result = execute(run, spec, metastore, settings)
            settings.results.append(result)
            log.write(json.dumps({k: v for k, v in result.items() if k != "conf"}) + "\n")
            log.flush()
            status = f"{result['elapsed_s']:.2f} s" if result.get("ok") else result.get("error")
            print(f"[{index}/{len(runs)}] {run.name}: {status}", flush=True)
    result = figures(settings)
    if "jobs_api" in settings.workloads:
        result["jobs_api"] = jobs_api_figures(settings)
        result["python_workflow_vs_session"] = result["jobs_api"].get("python_workflow_vs_session")
    print()
    print(table(settings))
    print()
    print(verdicts(result))
    differing = conf_differences(settings.results)
    if differing:
        print(f"Spark conf differs between runs in: {', '.join(differing)}")
    (settings.out / "result.json").write_text(json.dumps(result, indent=2))
    print("RESULT " + json.dumps(result))
    return 0 if not result["failed_runs"] else 1


if __name__ == "__main__":
    sys.exit(main())
