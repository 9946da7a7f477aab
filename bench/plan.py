"""The projects a bench needs and the runs it makes, in the order it makes them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import own_defaults
import projects
import startup
from settings import BASELINE, OURS, P1_MODELS, P5_THREADS, SPARK, Run, Settings


def generate_projects(settings: Settings) -> dict[str, Path]:
    root = settings.projects
    fmt = settings.table_format  # the models' file_format: the run's tables are all of one kind
    paths = {"warmup": projects.write_warmup_project(root / "warmup", fmt)}
    if "p1" in settings.workloads or own_defaults.OWN in settings.workloads:
        paths["p1"] = projects.write_models_project(root / "p1", P1_MODELS, fmt)
    if "p5" in settings.workloads:
        paths["p5"] = projects.write_models_project(root / "p5", settings.p5_models, fmt)
    if "seed" in settings.workloads:
        paths["seed"] = projects.write_seed_project(root / "seed", settings.seed_rows)
        paths["seed_small"] = projects.write_seed_project(
            root / "seed_small", settings.peer_seed_rows
        )
    if "python" in settings.workloads:
        paths["python"] = projects.write_python_project(root / "python")
    if startup.WORKLOAD in settings.workloads:
        paths[startup.WORKLOAD] = projects.write_models_project(root / "startup", P1_MODELS)
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
        runs += share_processes(repeat_runs(settings, paths, repeat, alternate(settings, repeat)))
    if "p5" in settings.workloads:
        for repeat in range(settings.p5_repeats):
            order = alternate(settings, repeat)
            runs += [Run("p5", a, P5_THREADS, repeat, paths["p5"], "run") for a in order]
    return runs


def repeat_runs(
    settings: Settings, paths: dict[str, Path], repeat: int, order: list[str]
) -> list[Run]:
    """One repeat of every workload but p5 (repeated on its own: --p5-repeats)."""
    runs: list[Run] = []
    if "p1" in settings.workloads:
        for threads in (1, 4):
            runs += [Run("p1", a, threads, repeat, paths["p1"], "run") for a in order]
    if own_defaults.OWN in settings.workloads:
        runs += own_defaults.plan(paths["p1"], repeat, order)
    if "seed" in settings.workloads:
        # dbt-spark loads only the small seed (its seed load is quadratic in rows); ours
        # loads both, so that one figure compares like with like.
        big, small = paths["seed"], paths["seed_small"]
        runs += [Run("seed", a, 1, repeat, big, "seed") for a in order if a != SPARK]
        runs += [Run("seed_small", a, 1, repeat, small, "seed") for a in order if a != BASELINE]
    if "python" in settings.workloads:
        runs += [Run("python", a, 1, repeat, paths["python"], "run") for a in order if a != SPARK]
    if startup.WORKLOAD in settings.workloads:
        runs += startup.startup_runs(paths[startup.WORKLOAD], repeat, order)
    return runs


# Workloads whose runs start Spark with the same conf (the identical-settings one), and the
# own-defaults ones: within one repeat, an adapter's runs of one family share a worker process.
_PROCESS_FAMILIES = {
    "p1": "identical",
    "seed": "identical",
    "seed_small": "identical",
    "python": "identical",
    own_defaults.OWN: "own",
}


def share_processes(runs: list[Run]) -> list[Run]:
    """One worker process per adapter and family: its first run starts Spark and warms up, the
    others join it (`host`), each measured in its own schema. A Spark start and warm-up cost
    about 30 s on 2 cores, paid once instead of per run. Each group's runs are made contiguous,
    in the order the groups first appear, so the adapters still alternate group by group."""
    groups: dict[tuple[str, str], list[Run]] = {}
    order: list[tuple[str, str] | Run] = []
    for run in runs:
        family = _PROCESS_FAMILIES.get(run.workload)
        if family is None:
            order.append(run)
            continue
        key = (family, run.adapter)
        if key not in groups:
            groups[key] = [run]
            order.append(key)
        else:
            groups[key].append(dataclasses.replace(run, host=groups[key][0].name))
    shared: list[Run] = []
    for item in order:
        shared += groups[item] if isinstance(item, tuple) else [item]
    return shared
