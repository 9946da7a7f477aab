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
    # --quick skips p5
    assert summary["workloads"] == ["p1", "p1_own", "seed", "python", "jobs_api", "startup"]
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
    models = project_dir / "python" / "models"
    python_models = sorted(p.stem for p in models.glob("py_trivial*.py"))
    sql_twins = sorted(p.stem for p in models.glob("*.sql"))
    assert python_models and sql_twins == [n.replace("py_", "sql_") for n in python_models]
    # As many Python models again, whose DataFrame is the SQL twin's own statement.
    same_plan = sorted(models.glob("py_plan*.py"))
    assert len(same_plan) == len(python_models)
    twin_sql = (models / "sql_trivial.sql").read_text().strip()
    assert all(f'session.sql("{twin_sql}")' in p.read_text() for p in same_plan)


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


def test_an_adapters_runs_share_one_process_and_spark(dry_run: tuple[dict, Path, Path]) -> None:
    """Per adapter, the identical-settings runs join the first one's worker process, as do the
    own-defaults runs; the joining runs name that process's Spark directories, measure in a
    schema of their own, and do not warm up again (but for the Python path's own warm-up)."""
    _, out, _ = dry_run
    groups = [
        ("ours", "p1-t1", ["p1-t4", "seed-t1", "seed_small-t1", "python-t1"]),
        ("dbt-spark", "p1-t1", ["p1-t4", "seed_small-t1"]),
        ("ours", "p1_own-t1", ["p1_own-t4"]),
        ("dbt-spark", "p1_own-t1", ["p1_own-t4"]),
    ]
    schemas = set()
    for adapter, host_prefix, joining in groups:
        host = f"{host_prefix}-{adapter}-r0"
        host_spec = json.loads((out / "runs" / host / "spec.json").read_text())
        host_profile = yaml.safe_load((out / "runs" / host / "profiles.yml").read_text())
        host_out = host_profile["bench"]["outputs"]["measure"]
        assert host_spec["host"] == "" and len(host_spec["warmup"]) == 1
        schemas.add(host_out["schema"])
        for prefix in joining:
            name = f"{prefix}-{adapter}-r0"
            spec = json.loads((out / "runs" / name / "spec.json").read_text())
            assert spec["host"] == host
            assert len(spec["warmup"]) == (1 if prefix == "python-t1" else 0)
            measure = yaml.safe_load((out / "runs" / name / "profiles.yml").read_text())
            measure = measure["bench"]["outputs"]["measure"]
            schemas.add(measure["schema"])
            key = "spark_conf" if "spark_conf" in measure else "server_side_parameters"
            assert measure[key] == host_out[key]  # the Spark already running, unchanged
            if adapter == "ours":
                assert measure["spark_local_dir"] == host_out["spark_local_dir"]
            assert measure["threads"] == (4 if "-t4" in prefix else 1)
    seed = json.loads((out / "runs" / "seed-t1-ours-r0" / "spec.json").read_text())
    assert seed["check_seed"]["table"] == "spark_catalog.bench_seed_t1.bench_seed"
    assert "bench_seed_t1" in schemas and "bench_p1_t4" in schemas


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
    results[0]["nodes"].append({"unique_id": "model.bench.py_plan", "execution_time": 2.2})
    assert figures.python_sql_ratio(results, "ours", "py_plan") == pytest.approx(1.1)
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


def test_startup_runs_whole_commands_on_one_state(dry_run: tuple[dict, Path, Path]) -> None:
    """Each adapter's startup commands share one profile and target (so the later ones use
    partial parsing), the profile is the one every other workload gets, and no warm-up runs."""
    _, out, project_dir = dry_run
    expected = [
        ("startup_parse", ["parse", "--no-partial-parse"]),
        ("startup_reparse", ["parse"]),
        ("startup_ls", ["ls"]),
        ("startup_run1", ["run", "--select", "m0000"]),
    ]
    for adapter in ("ours", "dbt-spark"):
        state = out / "startup" / f"{adapter}-r0"
        for workload, words in expected:
            spec = json.loads(
                (out / "runs" / f"{workload}-t1-{adapter}-r0" / "spec.json").read_text()
            )
            args = spec["args"]
            assert "warmup" not in spec
            assert args[0] == words[0] and all(word in args for word in words[1:])
            assert ("--no-partial-parse" in args) == (workload == "startup_parse")
            assert args[args.index("--project-dir") + 1] == str(project_dir / "startup")
            assert args[args.index("--target-path") + 1] == str(state / "target")
        profile = yaml.safe_load((state / "profiles.yml").read_text())["bench"]["outputs"]
        p1 = yaml.safe_load((out / "runs" / f"p1-t1-{adapter}-r0" / "profiles.yml").read_text())
        p1_measure = p1["bench"]["outputs"]["measure"]
        key = "spark_conf" if adapter == "ours" else "server_side_parameters"
        rebased = {k: v.replace(str(state), "<dir>") for k, v in profile["measure"][key].items()}
        p1_dir = str(out / "runs" / f"p1-t1-{adapter}-r0")
        assert rebased == {k: v.replace(p1_dir, "<dir>") for k, v in p1_measure[key].items()}
    assert len(list((project_dir / "startup" / "models").glob("*.sql"))) == 100


def test_startup_figures_are_ratios_of_medians() -> None:
    """The RESULT keys of the startup workload, from made-up results (plumbing, not timing)."""
    sys.path.insert(0, str(BENCH))
    try:
        import startup
    finally:
        sys.path.remove(str(BENCH))
    results = []
    for workload, _, _ in startup.COMMANDS:
        for adapter, wall, cpu, rss in (("ours", 4.0, 3.0, 200.0), ("dbt-spark", 8.0, 2.0, 100.0)):
            run = {"ok": True, "workload": workload, "adapter": adapter, "elapsed_s": wall}
            run.update(python_cpu_s=cpu, peak_rss_mb=rss, partial_parse_skipped=True)
            results += [run, {**run, "ok": False, "elapsed_s": 1000.0}]  # failures don't count
    figures = startup.startup_figures(results)
    for name in ("parse", "reparse", "ls", "run1"):
        assert figures[f"startup_{name}_ratio"] == pytest.approx(0.5)
        assert figures[f"startup_{name}_cpu_ratio"] == pytest.approx(1.5)
        assert figures[f"startup_{name}_rss_ratio"] == pytest.approx(2.0)
        assert figures["startup"][name]["ours"]["elapsed_s"] == 4.0
    assert figures["startup_partial_parse_ok"] is True
    results[0]["partial_parse_skipped"] = False
    results[0]["workload"] = "startup_reparse"
    assert startup.startup_figures(results)["startup_partial_parse_ok"] is False
    assert startup.startup_figures([])["startup_parse_ratio"] is None


def bench_module(name: str) -> object:
    sys.path.insert(0, str(BENCH))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(BENCH))


def test_own_defaults_runs_give_each_adapter_only_its_users_settings(
    dry_run: tuple[dict, Path, Path],
) -> None:
    _, out, project_dir = dry_run
    for threads in (1, 4):
        for adapter in ("ours", "dbt-spark"):
            assert (out / "runs" / f"p1_own-t{threads}-{adapter}-r0" / "spec.json").exists()
    run_dir = out / "runs" / "p1_own-t1-ours-r0"
    ours = yaml.safe_load((run_dir / "profiles.yml").read_text())["bench"]["outputs"]["measure"]
    bench_only = {"spark.app.name", "spark.eventLog.enabled", "spark.eventLog.dir"}
    bench_only.add("spark.eventLog.compress")
    assert set(ours["spark_conf"]) == bench_only  # no tuning: the adapter's defaults apply
    assert ours["local_table_format"] == "parquet" and ours["threads"] == 1
    their_dir = out / "runs" / "p1_own-t4-dbt-spark-r0"
    theirs = yaml.safe_load((their_dir / "profiles.yml").read_text())["bench"]["outputs"]
    assert theirs["measure"]["threads"] == 4
    # On parquet a dbt-spark user adds nothing: its session brings Hive support itself.
    assert set(theirs["measure"]["server_side_parameters"]) == bench_only | {"spark.master"}
    # The identical-settings runs still get the complete conf, and both run the same project.
    spec = json.loads((their_dir / "spec.json").read_text())
    assert spec["measure"][spec["measure"].index("--project-dir") + 1] == str(project_dir / "p1")
    assert "+file_format: parquet" in (project_dir / "p1" / "dbt_project.yml").read_text()


@pytest.mark.delta
def test_own_defaults_dbt_spark_on_delta_gets_deltas_documented_settings() -> None:
    """The jars, the extension and the catalog, with the very jar files ours loads."""
    from dbt.adapters.databricks_session.spark.local import LocalSparkSettings, check_java

    own_defaults = bench_module("own_defaults")
    conf = own_defaults.dbt_spark_user_conf("delta")  # type: ignore[attr-defined]
    ours = LocalSparkSettings(local_dir="/tmp/unused", table_format="delta")
    ours_conf = ours.startup_conf(check_java())
    expected = ("spark.jars", "spark.sql.extensions", "spark.sql.catalog.spark_catalog")
    assert set(conf) == set(expected)
    assert {key: ours_conf[key] for key in expected} == conf
    assert own_defaults.dbt_spark_user_conf("parquet") == {}  # type: ignore[attr-defined]


def test_own_defaults_figures_and_the_same_conf_check() -> None:
    figures = bench_module("figures")

    def result(workload: str, adapter: str, threads: int, seconds: float, conf: dict) -> dict:
        return {"ok": True, "workload": workload, "adapter": adapter, "threads": threads} | {
            "elapsed_s": seconds,
            "conf": conf,
        }

    results = [
        result("p1", "ours", 1, 10.0, {"a": "1"}),
        result("p1", "dbt-spark", 1, 20.0, {"a": "1"}),
        result("p1_own", "ours", 1, 6.0, {"a": "2"}),
        result("p1_own", "dbt-spark", 1, 12.0, {"b": "3"}),
        result("p1_own", "ours", 4, 3.0, {"a": "2"}),
        result("p1_own", "dbt-spark", 4, 4.0, {"b": "3"}),
    ]
    own = figures.own_defaults_figures(results)  # type: ignore[attr-defined]
    assert own == {"own_defaults_ratio_t1": 0.5, "own_defaults_ratio_t4": 0.75}
    # Own-defaults runs differ on purpose: only the identical-settings runs are compared.
    assert figures.same_conf(results) is True  # type: ignore[attr-defined]
    assert figures.conf_differences(results) == []  # type: ignore[attr-defined]


def test_p5_figures_scale_and_peak_python_memory() -> None:
    """Per-model time at 1,000 models over 100 models (same threads), and the Python process's
    peak memory, from made-up results (plumbing, not timing)."""
    figures, settings_module = bench_module("figures"), bench_module("settings")

    def result(workload: str, adapter: str, seconds: float, rss: float) -> dict:
        return {"ok": True, "workload": workload, "adapter": adapter, "threads": 4} | {
            "elapsed_s": seconds,
            "peak_rss_mb": rss,
        }

    settings = settings_module.parse_args(  # type: ignore[attr-defined]
        ["--dry-run", "--projects-dir", "/tmp/unused", "--workloads", "p1,p5"]
    )
    settings.results = [
        result("p1", "ours", 10.0, 200.0),
        result("p5", "ours", 110.0, 300.0),
        result("p5", "dbt-spark", 220.0, 150.0),
        {**result("p5", "ours", 1.0, 9999.0), "ok": False},  # failed runs don't count
    ]
    p5 = figures.p5_figures(settings)  # type: ignore[attr-defined]
    assert p5["p5_scale"] == pytest.approx(1.1)  # 0.11 s per model against 0.10 s
    assert p5["p5_ratio"] == pytest.approx(0.5)
    assert p5["p5_peak_python_mb"] == 300.0
    assert p5["p5_peak_python_mb_dbt_spark"] == 150.0
