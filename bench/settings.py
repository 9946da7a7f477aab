"""What the bench compares and how: its constants, the command line's settings, one planned run.

bench/run.py is the entry point (its docstring is the usage); it puts bench/ and this tree's root
on sys.path before importing this module.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import projects

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent

OURS = "ours"
SPARK = "dbt-spark"
BASELINE = "baseline"  # our adapter from another tree (--baseline), to measure a change
# jobs_api: a Python model through `session` vs `workflow_job` (bench/jobs_api.py, the emulator)
# startup: whole dbt commands (parse, ls, a one-model run) as processes (bench/startup.py)
# p1_own: the 100-model project with each adapter on its own defaults (bench/own_defaults.py)
WORKLOADS = ("p1", "p1_own", "seed", "python", "jobs_api", "startup", "p5")
MASTER = "local[2]"
WARM_SCHEMA = "bench_warm"
SCHEMA = "bench"
P1_MODELS = 100
P5_THREADS = 4
RUN_TIMEOUT_S = 3600


@dataclass(frozen=True)
class Run:
    workload: str  # p1, p1_own, seed, seed_small, python, p5
    adapter: str
    threads: int
    repeat: int
    project: Path
    command: str  # the measured dbt sub-command: run or seed
    # The run whose worker process (and local Spark) this one's measured command joins, after
    # that run's own (bench/plan.py: share_processes); "" for a run with a process of its own.
    host: str = ""

    @property
    def name(self) -> str:
        return f"{self.workload}-t{self.threads}-{self.adapter}-r{self.repeat}"

    @property
    def schema(self) -> str:
        """The measured command's schema: a run joining a process gets its own, so it starts as
        empty as the first run's."""
        return f"{SCHEMA}_{self.workload}_t{self.threads}" if self.host else SCHEMA


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


def parse_args(argv: Sequence[str] | None, description: str = "") -> Settings:
    """The command line's settings; `description` heads --help (run.py passes its docstring's
    first paragraph)."""
    parser = build_parser(description)
    args = parser.parse_args(argv)
    workloads = chosen_workloads(parser, args)
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 3)
    check_args(parser, args, repeats)
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


def build_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
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
    return parser


def chosen_workloads(parser: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[str, ...]:
    workloads = (
        tuple(w.strip() for w in args.workloads.split(",") if w.strip())
        if args.workloads
        else (WORKLOADS[:-1] if args.quick else WORKLOADS)
    )
    unknown = [w for w in workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {','.join(WORKLOADS)}")
    return workloads


def check_args(parser: argparse.ArgumentParser, args: argparse.Namespace, repeats: int) -> None:
    """Exits with argparse's usage error (status 2) on the first bad value."""
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
