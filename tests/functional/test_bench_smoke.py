"""bench/run.py works: a dry run generates the projects and run specs without running dbt.

No timings are asserted anywhere in the test suite; this only checks the benchmark's plumbing.
The dry run happens in a subprocess and starts no Spark (this pytest process already has one).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, Path]:
    root = tmp_path_factory.mktemp("bench")
    out, project_dir = root / "results", root / "projects"
    proc = run_bench("--quick", "--dry-run", "--out", str(out), "--projects-dir", str(project_dir))
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("RESULT ")
    return json.loads(last[len("RESULT ") :]), out, project_dir


def test_dry_run_plans_both_adapters(dry_run: tuple[dict, Path, Path]) -> None:
    summary, out, _ = dry_run
    assert summary["dry_run"] is True
    assert summary["workloads"] == ["p1", "seed", "python", "jobs_api"]  # --quick skips p5
    runs = sorted(p.name for p in (out / "runs").iterdir())
    assert "p1-t1-ours-r0" in runs and "p1-t1-dbt-spark-r0" in runs
    assert "p1-t4-ours-r0" in runs and "p1-t4-dbt-spark-r0" in runs
    assert "seed-t1-ours-r0" in runs and "seed_small-t1-dbt-spark-r0" in runs
    assert "python-t1-ours-r0" in runs
    assert summary["runs"] == len(runs)
    assert not list(out.glob("runs/*/result.json"))  # nothing ran


def test_generated_projects(dry_run: tuple[dict, Path, Path]) -> None:
    _, _, project_dir = dry_run
    models = sorted((project_dir / "p1" / "models").glob("*.sql"))
    assert len(models) == 100
    assert "ref('m0004')" in (project_dir / "p1" / "models" / "m0005.sql").read_text()
    with (project_dir / "seed" / "seeds" / "bench_seed.csv").open() as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 100_001 and len(rows[0]) == 6
    assert (project_dir / "python" / "models" / "py_trivial.py").exists()
    # Each Python model has a SQL twin building the same table.
    python_models = sorted(p.stem for p in (project_dir / "python" / "models").glob("*.py"))
    sql_twins = sorted(p.stem for p in (project_dir / "python" / "models").glob("*.sql"))
    assert python_models and sql_twins == [n.replace("py_", "sql_") for n in python_models]


def test_python_runs_warm_the_python_path_first(dry_run: tuple[dict, Path, Path]) -> None:
    _, out, project_dir = dry_run
    spec = json.loads((out / "runs" / "python-t1-ours-r0" / "spec.json").read_text())
    warmed = [args[args.index("--project-dir") + 1] for args in spec["warmup"]]
    assert warmed[-1] == str(project_dir / "python")
    assert spec["warmup"][-1][args_target(spec["warmup"][-1])] == "warmup"
    p1 = json.loads((out / "runs" / "p1-t1-ours-r0" / "spec.json").read_text())
    assert len(p1["warmup"]) == 1  # other workloads warm up as before


def args_target(args: list[str]) -> int:
    return args.index("--target") + 1


def test_python_sql_ratio_compares_twins_of_one_run() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import figures
    finally:
        sys.path.remove(str(BENCH))

    def run(times: dict[str, float], ok: bool = True) -> dict:
        nodes = [{"unique_id": f"model.bench.{k}", "execution_time": v} for k, v in times.items()]
        return {"ok": ok, "workload": "python", "adapter": "ours", "nodes": nodes}

    results = [
        run({"py_trivial": 1.0, "sql_trivial": 0.5, "py_trivial_1": 1.0, "sql_trivial_1": 1.5}),
        run({"py_trivial": 3.0, "sql_trivial": 1.0}),
        run({"py_trivial": 9.0, "sql_trivial": 1.0}, ok=False),  # failed runs do not count
    ]
    assert figures.python_sql_ratio(results, "ours") == pytest.approx((1.0 + 3.0) / 2)
    assert figures.python_sql_ratio([], "ours") is None


def test_both_adapters_get_the_same_spark_conf(dry_run: tuple[dict, Path, Path]) -> None:
    _, out, _ = dry_run
    ours = yaml.safe_load((out / "runs" / "p1-t1-ours-r0" / "profiles.yml").read_text())
    theirs = yaml.safe_load((out / "runs" / "p1-t1-dbt-spark-r0" / "profiles.yml").read_text())
    ours_target = ours["bench"]["outputs"]["measure"]
    theirs_target = theirs["bench"]["outputs"]["measure"]
    assert ours_target["type"] == "databricks_session" and ours_target["method"] == "session"
    assert theirs_target["type"] == "spark" and theirs_target["method"] == "session"
    ours_dir, theirs_dir = (
        str(out / "runs" / "p1-t1-ours-r0"),
        str(out / "runs" / "p1-t1-dbt-spark-r0"),
    )
    conf = {
        key: value.replace(theirs_dir, "<run>")
        for key, value in theirs_target["server_side_parameters"].items()
    }
    assert conf["spark.master"] == ours_target["spark_master"]
    assert conf["spark.sql.catalogImplementation"] == "hive"
    assert conf["spark.eventLog.enabled"] == "true"
    assert conf["spark.sql.warehouse.dir"] == "<run>/spark/warehouse"
    assert ours_target["spark_local_dir"] == f"{ours_dir}/spark"
    for key, value in ours_target["spark_conf"].items():
        assert conf[key] == value.replace(ours_dir, "<run>")


def test_bad_arguments_are_rejected(tmp_path: Path) -> None:
    proc = run_bench("--dry-run", "--repeats", "0", "--projects-dir", str(tmp_path))
    assert proc.returncode == 2 and "--repeats" in proc.stderr
    proc = run_bench("--dry-run", "--workloads", "p1,nope", "--projects-dir", str(tmp_path))
    assert proc.returncode == 2 and "nope" in proc.stderr


def test_busy_time_is_the_union_of_intervals() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from eventlog import busy_seconds
    finally:
        sys.path.remove(str(BENCH))
    intervals = [(0.0, 2.0), (1.0, 3.0), (5.0, 6.0), (10.0, 20.0)]
    assert busy_seconds(intervals, (0.0, 12.0)) == pytest.approx(3.0 + 1.0 + 2.0)
    assert busy_seconds([], (0.0, 1.0)) == 0.0


def test_event_log_is_read(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from eventlog import find_event_log, read_event_log
    finally:
        sys.path.remove(str(BENCH))
    app = "local-123"
    directory = tmp_path / f"eventlog_v2_{app}"
    directory.mkdir()
    sql = "org.apache.spark.sql.execution.ui.SparkListenerSQLExecution"
    events = [
        {"Event": f"{sql}Start", "executionId": 1, "time": 1000},
        {"Event": "SparkListenerJobStart", "Job ID": 0, "Submission Time": 1100},
        {"Event": "SparkListenerJobEnd", "Job ID": 0, "Completion Time": 1400},
        {"Event": f"{sql}End", "executionId": 1, "time": 1500},
    ]
    (directory / f"events_1_{app}").write_text("\n".join(json.dumps(e) for e in events) + "\n")
    activity = read_event_log(find_event_log(tmp_path, app))
    assert activity.sql == [(1.0, 1.5)]
    assert activity.jobs == [(1.1, 1.4)]


def test_ours_imports_the_adapter_of_the_bench_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import run
    finally:
        sys.path.remove(str(BENCH))
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    settings = run.parse_args(["--dry-run", "--projects-dir", "/tmp/unused"])
    assert run.adapter_path(run.OURS, settings).split(os.pathsep) == [str(ROOT), "/elsewhere"]
    assert run.adapter_path(run.SPARK, settings) == "/elsewhere"
