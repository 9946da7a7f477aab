"""The figures in the last `RESULT {json}` line: ratios and shares from the runs' results."""

from __future__ import annotations

import json
import statistics
from typing import Any

from own_defaults import OWN, identical_settings_runs
from settings import BASELINE, OURS, P1_MODELS, P5_THREADS, SPARK, Settings


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
    out.update(p1_figures(res))
    out.update(own_defaults_figures(res))
    for threads, key in ((1, "overhead_share"), (4, "overhead_share_t4")):
        out[key] = overhead_share(res, OURS, threads)
    # The same figure for dbt-spark, for comparison (not a target).
    out["overhead_share_dbt_spark"] = overhead_share(res, SPARK, 1)
    split = p1_t1_split(res)
    if split is not None:
        out["p1_t1_split"] = split
    out.update(seed_figures(settings))
    out.update(p5_figures(settings))
    out["python_model_s"] = python_model_seconds(res, OURS)
    if "startup" in settings.workloads:
        from startup import startup_figures  # it imports this module

        out.update(startup_figures(res))
    out["python_sql_ratio"] = python_sql_ratio(res, OURS)
    out["python_sql_ratio_same_plan"] = python_sql_ratio(res, OURS, "py_plan")
    if settings.baseline is not None:
        out["vs_baseline"] = baseline_figures(res)
    out["same_spark_conf"] = same_conf(res)
    out["table_format"] = settings.table_format
    out["failed_runs"] = [r["name"] for r in res if not r.get("ok")]
    out["mode"] = "quick" if settings.quick else "full"
    out["repeats"] = settings.repeats
    return rounded(out)


def p1_figures(res: list[dict[str, Any]]) -> dict[str, Any]:
    """Ours over dbt-spark on the 100-model run, at 1 and 4 threads."""
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
    return out


def own_defaults_figures(res: list[dict[str, Any]]) -> dict[str, float | None]:
    """Ours over dbt-spark on the 100-model run, each adapter on its own defaults."""
    return {
        f"own_defaults_ratio_t{threads}": ratio(
            median_elapsed(res, workload=OWN, adapter=OURS, threads=threads),
            median_elapsed(res, workload=OWN, adapter=SPARK, threads=threads),
        )
        for threads in (1, 4)
    }


def p1_t1_split(res: list[dict[str, Any]]) -> dict[str, float | None] | None:
    """Where our t1 wall goes (medians): Spark executing, inside Spark calls but before execution
    starts (parse, analysis, the JVM round trip), and outside any Spark call (dbt + adapter)."""
    ours_t1 = [r for r in pick(res, workload="p1", adapter=OURS, threads=1) if "spark_busy_s" in r]
    if not ours_t1:
        return None
    return {
        "spark_executing": med([r["spark_busy_s"] / r["elapsed_s"] for r in ours_t1]),
        "spark_call_not_executing": med(
            [(r["statement_s"] - r["spark_busy_s"]) / r["elapsed_s"] for r in ours_t1]
        ),
        "outside_spark_calls": med(
            [(r["elapsed_s"] - r["statement_s"]) / r["elapsed_s"] for r in ours_t1]
        ),
    }


def seed_figures(settings: Settings) -> dict[str, Any]:
    res = settings.results
    out: dict[str, Any] = {}
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
    return out


def p5_figures(settings: Settings) -> dict[str, float | None]:
    """The 1,000-model run: our per-model time against p1's at the same threads, and ours over
    dbt-spark's."""
    if "p5" not in settings.workloads:
        return {"p5_scale": None, "p5_ratio": None, "p5_peak_python_mb": None}
    res = settings.results
    ours_p5 = median_elapsed(res, workload="p5", adapter=OURS)
    theirs_p5 = median_elapsed(res, workload="p5", adapter=SPARK)
    ours_p1 = median_elapsed(res, workload="p1", adapter=OURS, threads=P5_THREADS)
    per_model_p5 = ours_p5 / settings.p5_models if ours_p5 is not None else None
    per_model_p1 = ours_p1 / P1_MODELS if ours_p1 is not None else None
    return {
        "p5_scale": ratio(per_model_p5, per_model_p1),
        "p5_ratio": ratio(ours_p5, theirs_p5),
        # Peak Python memory of the process that ran the 1,000 models (the JVM's is its own).
        "p5_peak_python_mb": med([r["peak_rss_mb"] for r in p5_runs(res, OURS)]),
        "p5_peak_python_mb_dbt_spark": med([r["peak_rss_mb"] for r in p5_runs(res, SPARK)]),
    }


def p5_runs(res: list[dict[str, Any]], adapter: str) -> list[dict[str, Any]]:
    return [r for r in pick(res, workload="p5", adapter=adapter) if "peak_rss_mb" in r]


def baseline_figures(res: list[dict[str, Any]]) -> dict[str, float | None]:
    """Ours over the --baseline tree's adapter, workload by workload."""
    return {
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
        "python_model": ratio(python_model_seconds(res, OURS), python_model_seconds(res, BASELINE)),
    }


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


def python_sql_ratio(
    results: list[dict[str, Any]], adapter: str, python_prefix: str = "py_trivial"
) -> float | None:
    """Median over the python runs of: the Python models' execution time ÷ their SQL twins'
    (same tables, same measured invocation). `py_plan` models have the twins' very plan."""
    ratios = []
    for run in pick(results, workload="python", adapter=adapter):
        times = {
            node["unique_id"].rsplit(".", 1)[-1]: node["execution_time"]
            for node in run.get("nodes", [])
        }
        python = sum(v for k, v in times.items() if k.startswith(python_prefix))
        sql = sum(v for k, v in times.items() if k.startswith("sql_trivial"))
        if python and sql:
            ratios.append(python / sql)
    return med(ratios)


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


def same_conf(results: list[dict[str, Any]]) -> bool | None:
    """Did every run start Spark with the same settings (paths and ports aside)?"""
    confs = {
        json.dumps(r["conf"], sort_keys=True)
        for r in identical_settings_runs(results)
        if r.get("conf")
    }
    return len(confs) == 1 if confs else None


def conf_differences(results: list[dict[str, Any]]) -> list[str]:
    confs = [r["conf"] for r in identical_settings_runs(results) if r.get("conf")]
    keys: set[str] = set().union(*confs) if confs else set()
    return sorted(k for k in keys if len({c.get(k) for c in confs}) > 1)
