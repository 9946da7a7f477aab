"""The projects a bench needs and the runs it makes, in the order it makes them."""

from __future__ import annotations

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
        runs += repeat_runs(settings, paths, repeat, alternate(settings, repeat))
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
