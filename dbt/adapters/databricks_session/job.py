"""Run a dbt project inside this Python process, on the Spark session it already has.

A Databricks job task that runs dbt in its own process (a notebook, a Python script task, a
Python wheel task) gives `method: session` the job's SparkSession; Databricks' `dbt_task` and
`subprocess.run(["dbt", ...])` start a new process that has none. This module is that in-process
runner:

- the console script and `python_wheel_task` entry point `dbt-session-job` (`main`),
- `python -m dbt.adapters.databricks_session.job` or a `spark_python_task` file calling `main()`,
- `run_dbt_job(...)` from a notebook, with the flags' names as keyword arguments.

What runs: the job-parameter conveniences (`--command build --select ... --skip-tests`), or any
dbt command line after `--` (`dbt-session-job --project-dir p -- docs generate`; `dbt=` from a
notebook). It invokes dbt with `dbtRunner`, logs a summary through dbt's logger (failures
first), copies this run's artifacts (run_results.json, manifest.json, catalog.json, index.html,
sources.json) and its part of `dbt.log` to `artifacts_dir` after every run (success or failure),
and fails (a non-zero exit, or an exception from `run_dbt_job`) unless dbt succeeded. Parameters:
job_options.py; artifacts: job_artifacts.py; summary: job_summary.py. pyspark is never imported
here: the adapter finds the session (spark/source.py) when dbt opens a connection.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dbt.adapters.databricks.logging import logger
from dbt.cli.main import dbtRunner, dbtRunnerResult

from dbt.adapters.databricks_session.job_artifacts import copy_artifacts, mark_artifacts
from dbt.adapters.databricks_session.job_options import (
    COMMANDS,
    JobOptions,
    JobUsageError,
    PathArg,
    dbt_args,
    deps_args,
    has_packages,
    make_options,
    parse_bool,
    selection_words,
)
from dbt.adapters.databricks_session.job_summary import (
    PROG,
    NodeResult,
    failure_message,
    log_summary,
    node_results,
    one_line,
    summary_lines,
)

__all__ = [
    "DbtJobFailed",
    "JobOptions",
    "JobResult",
    "JobUsageError",
    "build_parser",
    "dbt_args",
    "main",
    "make_options",
    "run_dbt_job",
    "selection_words",
]

EXIT_FAILED = 1
EXIT_USAGE = 2


class DbtJobFailed(RuntimeError):
    """dbt did not succeed, or its artifacts could not be copied (exit status 1)."""

    def __init__(self, message: str, result: JobResult) -> None:
        super().__init__(message)
        self.result = result


@dataclass
class JobResult:
    """What `run_dbt_job` returns (and what `DbtJobFailed.result` carries)."""

    command: str
    success: bool
    dbt_args: list[str]
    dbt_result: dbtRunnerResult | None
    nodes: list[NodeResult] = field(default_factory=list)
    artifacts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# -- running -----------------------------------------------------------------------------------


def invoke(args: list[str]) -> dbtRunnerResult:
    logger.info(f"{PROG}: dbt {' '.join(args)}")
    return dbtRunner().invoke(args)


def run_options(options: JobOptions) -> JobResult:
    """Run dbt (after `dbt deps` if asked), log the summary, copy the artifacts."""
    marks = mark_artifacts(options)
    result = JobResult(options.command, False, dbt_args(options), None)
    try:
        _run_dbt(options, result)
    finally:
        # The summary first, so the copied dbt.log has it too.
        lines = summary_lines(result.command, result.success, result.nodes, result.problems)
        log_summary(lines, result.success)
        if options.artifacts_dir:
            copied, problems = copy_artifacts(marks, options.artifacts_dir)
            result.artifacts, result.problems = copied, result.problems + problems
            result.success = result.success and not problems
            for problem in problems:
                logger.error(f"  ! {problem}")
            logger.info(f"  artifacts: {len(copied)} files copied to {options.artifacts_dir}")
    return result


def _run_dbt(options: JobOptions, result: JobResult) -> None:
    if options.deps and not _run_deps(options, result):
        return
    outcome = invoke(result.dbt_args)
    result.dbt_result = outcome
    result.nodes = node_results(outcome)
    result.success = outcome.success
    if outcome.exception is not None:
        result.problems.append(f"dbt {options.command}: {one_line(str(outcome.exception), 500)}")


def _run_deps(options: JobOptions, result: JobResult) -> bool:
    if not has_packages(options.project_dir):
        logger.info(f"{PROG}: no packages.yml in {options.project_dir}; skipping dbt deps")
        return True
    outcome = invoke(deps_args(options))
    if not outcome.success:
        result.dbt_result = outcome
        result.problems.append(f"dbt deps: {one_line(str(outcome.exception or 'failed'), 500)}")
    return outcome.success


def run_dbt_job(
    *,
    project_dir: PathArg | None = None,
    profiles_dir: PathArg | None = None,
    target: str | None = None,
    command: str = "build",
    skip_tests: bool | str = False,
    select: str | Sequence[str] | None = None,
    exclude: str | Sequence[str] | None = None,
    vars: str | Mapping[str, Any] | None = None,
    full_refresh: bool | str = False,
    threads: int | str | None = None,
    deps: bool | str = False,
    artifacts_dir: PathArg | None = None,
    target_path: PathArg | None = None,
    log_path: PathArg | None = None,
    dbt: str | Sequence[str] | None = None,
) -> JobResult:
    """Run dbt in this process on its Spark session; raise `DbtJobFailed` unless it succeeded.

    `dbt` is any dbt command line (words, or one string split as a shell does), instead of
    `command`, `select`, ...: `run_dbt_job(project_dir=p, dbt="docs generate")`. Switches also
    accept "true"/"false" text and `threads` a number as text, as notebook widgets and job
    parameters pass them. Invalid parameters raise `JobUsageError`.
    """
    options = make_options(**locals())  # exactly this function's parameters
    result = run_options(options)
    if not result.success:
        raise DbtJobFailed(
            failure_message(result.command, result.nodes, result.problems, options.artifacts_dir),
            result,
        )
    return result


# -- command line ------------------------------------------------------------------------------


COMMAND = "dbt command: build (default), run, test, seed or snapshot; any other after `--`"
SELECT = "nodes to run, as dbt's --select; empty selects everything"
ARTIFACTS = "copy run_results.json, manifest.json and dbt.log here after the run"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        allow_abbrev=False,
        description="Run dbt in this process, on the Spark session it already has (a Databricks "
        "job's, or an embedded local Spark when there is none).",
    )
    _add(parser, "--project-dir", help="the dbt project (default: found as dbt finds it)")
    _add(parser, "--profiles-dir", help="default: the project dir when it has profiles.yml")
    _add(parser, "--target", "-t", help="the profile's target (default: its `target`)")
    _add(parser, "--command", default="build", type=str.lower, choices=COMMANDS, help=COMMAND)
    _add_switch(parser, "--skip-tests", "build models, seeds, snapshots; no data or unit tests")
    _add(parser, "--select", "-s", "--models", "-m", nargs="*", action="extend", help=SELECT)
    _add(parser, "--exclude", nargs="*", action="extend", help="nodes to leave out")
    _add(parser, "--vars", help="YAML or JSON, as dbt's --vars")
    _add_switch(parser, "--full-refresh", "rebuild incremental models and seeds")
    _add(parser, "--threads", help="dbt threads (default: the profile's)")
    _add_switch(parser, "--deps", "run `dbt deps` first when packages.yml exists")
    _add(parser, "--artifacts-dir", help=ARTIFACTS)
    _add(parser, "--target-path", help="dbt's target path (default: the project's)")
    _add(parser, "--log-path", help="dbt's log path (default: the project's)")
    parser.epilog = (
        "Any dbt command line may follow `--`, e.g. `-- docs generate`, `-- source freshness`, "
        "`-- build --state prod-artifacts --defer --fail-fast`, `-- --log-format json run`."
    )
    return parser


def _add(parser: argparse.ArgumentParser, *flags: str, **kwargs: Any) -> None:
    """Each --long-flag also answers to --long_flag (python_wheel_task named_parameters)."""
    long_flags = [flag for flag in flags if flag.startswith("--") and "-" in flag[2:]]
    aliases = ["--" + flag[2:].replace("-", "_") for flag in long_flags]
    parser.add_argument(*flags, *aliases, **kwargs)


def _add_switch(parser: argparse.ArgumentParser, flag: str, help: str) -> None:
    _add(
        parser,
        flag,
        nargs="?",
        const="true",
        default="false",
        metavar="true|false",
        type=_switch_value,
        help=help,
    )


def _switch_value(text: str) -> bool:
    try:
        return parse_bool(text)
    except JobUsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> None:
    """Console script / wheel entry point: returns on success, SystemExit(1 or 2) otherwise."""
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    passthrough = words[words.index("--") + 1 :] if "--" in words else None
    arguments = parser.parse_args(words[: words.index("--")] if "--" in words else words)
    try:
        run_dbt_job(**arguments.__dict__, dbt=passthrough)
    except JobUsageError as exc:
        parser.error(str(exc))  # exits with status 2
    except DbtJobFailed as exc:
        logger.error(f"{PROG}: {exc}")
        raise SystemExit(EXIT_FAILED) from None


if __name__ == "__main__":
    main()
