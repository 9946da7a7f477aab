"""Run a dbt project inside this Python process, on the Spark session it already has.

A Databricks job task that runs dbt in its own process (a notebook, a Python script task, a
Python wheel task) gives `method: session` the job's SparkSession; Databricks' `dbt_task` and
`subprocess.run(["dbt", ...])` start a new process that has none. This module is that in-process
runner:

- the console script and `python_wheel_task` entry point `dbt-session-job` (`main`),
- `python -m dbt.adapters.databricks_session.job` or a `spark_python_task` file calling `main()`,
- `run_dbt_job(...)` from a notebook, with the flags' names as keyword arguments.

It invokes dbt with `dbtRunner`, copies `run_results.json`, `manifest.json` and this run's part
of `dbt.log` to `artifacts_dir` after every run (success or failure), prints a per-node summary,
and fails (a non-zero exit, or an exception from `run_dbt_job`) unless dbt succeeded. pyspark is
never imported here: the adapter finds the session (spark/source.py) when dbt opens a connection.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

from dbt.cli.main import dbtRunner, dbtRunnerResult

COMMANDS = ("build", "run", "test", "seed", "snapshot")
FULL_REFRESH_COMMANDS = ("build", "run", "seed")
TEST_RESOURCE_TYPES = ("test", "unit_test")
PACKAGE_FILES = ("packages.yml", "dependencies.yml")
TARGET_ARTIFACTS = ("run_results.json", "manifest.json")
LOG_FILE = "dbt.log"
EXIT_FAILED = 1
EXIT_USAGE = 2
PROG = "dbt-session-job"
TRUE_WORDS = ("true", "1", "yes", "y", "on")
FALSE_WORDS = ("false", "0", "no", "n", "off", "")
PathArg: TypeAlias = "str | os.PathLike[str]"


class JobUsageError(ValueError):
    """The parameters cannot describe a dbt run (exit status 2)."""


class DbtJobFailed(RuntimeError):
    """dbt did not succeed, or its artifacts could not be copied (exit status 1)."""

    def __init__(self, message: str, result: JobResult) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class JobOptions:
    """Normalised parameters: absolute paths, booleans, selection words."""

    project_dir: str
    profiles_dir: str | None
    target: str | None
    command: str
    skip_tests: bool
    select: tuple[str, ...]
    exclude: tuple[str, ...]
    vars: str | None
    full_refresh: bool
    threads: int | None
    deps: bool
    artifacts_dir: str | None
    target_path: str
    log_path: str


@dataclass(frozen=True)
class NodeResult:
    unique_id: str
    status: str
    execution_time: float
    message: str


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


# -- parameters --------------------------------------------------------------------------------


def parse_bool(value: bool | str | None, name: str = "value") -> bool:
    """A switch given as a bool or as the text a notebook widget or job parameter passes."""
    if value is None or isinstance(value, bool):
        return bool(value)
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise JobUsageError(f"{name}: expected true or false, got {value!r}")


def parse_threads(value: int | str | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        threads = int(value)
    except ValueError:
        raise JobUsageError(f"threads: expected a whole number, got {value!r}") from None
    if threads < 1:
        raise JobUsageError(f"threads: must be at least 1, got {threads}")
    return threads


def selection_words(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """Selection words; "" (an empty `models` job parameter) selects everything."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    return tuple(word for item in items for word in str(item).split())


def vars_text(value: str | Mapping[str, Any] | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return json.dumps(dict(value)) if value else None
    return value.strip() or None


def resolve_project_dir(project_dir: PathArg | None) -> str:
    if project_dir is None or not str(project_dir).strip():
        from dbt.cli.resolvers import default_project_dir

        project_dir = default_project_dir()
    path = os.path.abspath(os.fspath(project_dir))
    if not os.path.isfile(os.path.join(path, "dbt_project.yml")):
        raise JobUsageError(f"project_dir: no dbt_project.yml in {path}")
    return path


def resolve_profiles_dir(profiles_dir: PathArg | None, project_dir: str) -> str | None:
    """Explicit > DBT_PROFILES_DIR (left to dbt) > the project dir if it has profiles.yml."""
    if profiles_dir is not None and str(profiles_dir).strip():
        return os.path.abspath(os.fspath(profiles_dir))
    if os.environ.get("DBT_PROFILES_DIR"):
        return None
    if os.path.isfile(os.path.join(project_dir, "profiles.yml")):
        return project_dir
    return None


def resolve_target_path(target_path: PathArg | None, project_dir: str) -> str:
    """Where dbt writes run_results.json and manifest.json (relative: to the project)."""
    chosen = (
        _text(target_path) or os.environ.get("DBT_TARGET_PATH") or _project_target_path(project_dir)
    )
    return os.path.abspath(os.path.join(project_dir, chosen))


def _project_target_path(project_dir: str) -> str:
    from dbt.config.project import PartialProject
    from dbt.exceptions import DbtProjectError

    try:
        partial = PartialProject.from_project_root(project_dir, verify_version=False)
    except DbtProjectError:
        return "target"
    configured = partial.project_dict.get("target-path")
    return configured if isinstance(configured, str) and "{{" not in configured else "target"


def resolve_log_path(log_path: PathArg | None, project_dir: str) -> str:
    """Where dbt writes dbt.log (relative: to the working directory, as dbt does)."""
    chosen = _text(log_path) or os.environ.get("DBT_LOG_PATH")
    if chosen:
        return os.path.abspath(chosen)
    from dbt.cli.resolvers import default_log_path

    return os.path.abspath(default_log_path(Path(project_dir)))


def _text(value: PathArg | None) -> str | None:
    """The value as text; None when absent or blank (an empty job parameter)."""
    if value is None:
        return None
    return os.fspath(value).strip() or None


def make_options(
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
) -> JobOptions:
    """Check and normalise the parameters of one run."""
    project = resolve_project_dir(project_dir)
    artifacts = _text(artifacts_dir)
    options = JobOptions(
        project_dir=project,
        profiles_dir=resolve_profiles_dir(profiles_dir, project),
        target=(target or "").strip() or None,
        command=(command or "build").strip().lower(),
        skip_tests=parse_bool(skip_tests, "skip_tests"),
        select=selection_words(select),
        exclude=selection_words(exclude),
        vars=vars_text(vars),
        full_refresh=parse_bool(full_refresh, "full_refresh"),
        threads=parse_threads(threads),
        deps=parse_bool(deps, "deps"),
        artifacts_dir=os.path.abspath(artifacts) if artifacts else None,
        target_path=resolve_target_path(target_path, project),
        log_path=resolve_log_path(log_path, project),
    )
    check_combination(options)
    return options


def check_combination(options: JobOptions) -> None:
    if options.command not in COMMANDS:
        raise JobUsageError(
            f"command: expected one of {', '.join(COMMANDS)}, got {options.command!r}"
        )
    if options.skip_tests and options.command == "test":
        raise JobUsageError("skip_tests cannot be combined with command 'test'")
    if options.full_refresh and options.command not in FULL_REFRESH_COMMANDS:
        raise JobUsageError(
            f"full_refresh applies to {', '.join(FULL_REFRESH_COMMANDS)}, not {options.command!r}"
        )


# -- dbt command lines -------------------------------------------------------------------------


def dbt_args(options: JobOptions) -> list[str]:
    """The dbt command line for the run (skip_tests: build without data and unit tests)."""
    args = [options.command, *_location_args(options)]
    if options.target:
        args += ["--target", options.target]
    args += ["--target-path", options.target_path]
    if options.select:
        args += ["--select", *options.select]
    if options.exclude:
        args += ["--exclude", *options.exclude]
    if options.skip_tests and options.command == "build":
        args += ["--exclude-resource-type", *TEST_RESOURCE_TYPES]
    if options.vars:
        args += ["--vars", options.vars]
    if options.full_refresh:
        args.append("--full-refresh")
    if options.threads is not None:
        args += ["--threads", str(options.threads)]
    return args


def deps_args(options: JobOptions) -> list[str]:
    args = ["deps", *_location_args(options)]
    return args + ["--vars", options.vars] if options.vars else args


def _location_args(options: JobOptions) -> list[str]:
    args = ["--project-dir", options.project_dir, "--log-path", options.log_path]
    if options.profiles_dir:
        args += ["--profiles-dir", options.profiles_dir]
    return args


def has_packages(project_dir: str) -> bool:
    return any(os.path.isfile(os.path.join(project_dir, name)) for name in PACKAGE_FILES)


# -- artifacts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileMark:
    """A file's identity and size before the run, to tell fresh artifacts from stale ones."""

    path: str
    signature: tuple[int, int, int] | None

    @classmethod
    def take(cls, path: str) -> FileMark:
        return cls(path, _signature(path))

    def written_since(self) -> bool:
        now = _signature(self.path)
        return now is not None and now != self.signature

    def log_offset(self) -> int:
        """Where this run's lines start in a log file (0 after rotation or truncation)."""
        now = _signature(self.path)
        if self.signature is None or now is None or now[0] != self.signature[0]:
            return 0
        return self.signature[1] if now[1] >= self.signature[1] else 0


def _signature(path: str) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def mark_artifacts(options: JobOptions) -> list[FileMark]:
    paths = [os.path.join(options.target_path, name) for name in TARGET_ARTIFACTS]
    return [FileMark.take(path) for path in [*paths, os.path.join(options.log_path, LOG_FILE)]]


def copy_artifacts(marks: list[FileMark], destination: str) -> tuple[list[str], list[str]]:
    """Copy what this run wrote; remove a stale earlier copy of what it did not write."""
    copied: list[str] = []
    problems: list[str] = []
    try:
        os.makedirs(destination, exist_ok=True)
        for mark in marks:
            target = os.path.join(destination, os.path.basename(mark.path))
            if _copy_one(mark, target):
                copied.append(target)
    except OSError as exc:
        problems.append(f"could not copy artifacts to {destination}: {exc}")
    return copied, problems


def _copy_one(mark: FileMark, target: str) -> bool:
    if not mark.written_since():
        if os.path.isfile(target):
            os.remove(target)
        return False
    if os.path.basename(mark.path) == LOG_FILE:
        with open(mark.path, "rb") as source, open(target, "wb") as sink:
            source.seek(mark.log_offset())
            shutil.copyfileobj(source, sink)
    else:
        # copyfile, not copy2: a Unity Catalog Volume refuses the metadata copy2 sets.
        shutil.copyfile(mark.path, target)
    return True


# -- running -----------------------------------------------------------------------------------


def invoke(args: list[str]) -> dbtRunnerResult:
    print(f"{PROG}: dbt {' '.join(args)}", flush=True)
    return dbtRunner().invoke(args)


def run_options(options: JobOptions) -> JobResult:
    """Run dbt (after `dbt deps` if asked), copy the artifacts, print the summary."""
    marks = mark_artifacts(options)
    result = JobResult(options.command, False, dbt_args(options), None)
    try:
        _run_dbt(options, result)
    finally:
        if options.artifacts_dir:
            copied, problems = copy_artifacts(marks, options.artifacts_dir)
            result.artifacts, result.problems = copied, result.problems + problems
            result.success = result.success and not problems
    print_summary(result, options.artifacts_dir)
    return result


def _run_dbt(options: JobOptions, result: JobResult) -> None:
    if options.deps and not _run_deps(options, result):
        return
    outcome = invoke(result.dbt_args)
    result.dbt_result = outcome
    result.nodes = node_results(outcome)
    result.success = outcome.success
    if outcome.exception is not None:
        result.problems.append(f"dbt {options.command}: {_one_line(str(outcome.exception), 500)}")


def _run_deps(options: JobOptions, result: JobResult) -> bool:
    if not has_packages(options.project_dir):
        print(f"{PROG}: no packages.yml in {options.project_dir}; skipping dbt deps", flush=True)
        return True
    outcome = invoke(deps_args(options))
    if not outcome.success:
        result.dbt_result = outcome
        result.problems.append(f"dbt deps: {_one_line(str(outcome.exception or 'failed'), 500)}")
    return outcome.success


def node_results(outcome: dbtRunnerResult) -> list[NodeResult]:
    results = getattr(outcome.result, "results", None) or []
    return [
        NodeResult(
            unique_id=str(getattr(item.node, "unique_id", "?")),
            status=str(getattr(item.status, "value", item.status)),
            execution_time=float(item.execution_time or 0.0),
            message=" ".join(str(item.message or "").split()),
        )
        for item in results
    ]


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


# -- summary and failure -----------------------------------------------------------------------


def print_summary(result: JobResult, artifacts_dir: str | None) -> None:
    print(summary_text(result, artifacts_dir), flush=True)


def summary_text(result: JobResult, artifacts_dir: str | None) -> str:
    counts: dict[str, int] = {}
    for node in result.nodes:
        counts[node.status] = counts.get(node.status, 0) + 1
    tally = ", ".join(f"{count} {status}" for status, count in counts.items()) or "no nodes"
    verdict = "succeeded" if result.success else "FAILED"
    lines = [f"{PROG}: dbt {result.command} {verdict} ({tally})"]
    width = max((len(node.unique_id) for node in result.nodes), default=0)
    for node in result.nodes:
        lines.append(
            f"  {node.status:<10} {node.execution_time:8.2f}s  "
            f"{node.unique_id:<{width}}  {_one_line(node.message)}".rstrip()
        )
    lines += [f"  ! {problem}" for problem in result.problems]
    if artifacts_dir:
        lines.append(f"  artifacts: {', '.join(result.artifacts) or 'none written'}")
    return "\n".join(lines)


FAILED_STATUSES = ("error", "fail", "runtime error")


def failure_message(result: JobResult, artifacts_dir: str | None) -> str:
    """The exception text: each failed node (first ten) and each problem, one per line."""
    failed = [node for node in result.nodes if node.status in FAILED_STATUSES]
    lines = [f"dbt {result.command} failed:"]
    lines += [
        f"  {node.unique_id} ({node.status}): {_one_line(node.message, 500)}"
        for node in failed[:10]
    ]
    if len(failed) > 10:
        lines.append(f"  ... and {len(failed) - 10} more failed nodes (see run_results.json)")
    lines += [f"  {problem}" for problem in result.problems]
    if len(lines) == 1:
        lines.append("  see the dbt log above")
    if artifacts_dir:
        lines.append(f"Artifacts: {artifacts_dir}")
    return "\n".join(lines)


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
) -> JobResult:
    """Run dbt in this process on its Spark session; raise `DbtJobFailed` unless it succeeded.

    Switches also accept "true"/"false" text and `threads` a number as text, as notebook widgets
    and job parameters pass them. Invalid parameters raise `JobUsageError`.
    """
    options = make_options(**locals())  # exactly this function's parameters
    result = run_options(options)
    if not result.success:
        raise DbtJobFailed(failure_message(result, options.artifacts_dir), result)
    return result


# -- command line ------------------------------------------------------------------------------


COMMAND = "dbt command: build (default), run, test, seed or snapshot"
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
    arguments = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        run_dbt_job(**arguments.__dict__)
    except JobUsageError as exc:
        parser.error(str(exc))  # exits with status 2
    except DbtJobFailed as exc:
        print(f"{PROG}: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(EXIT_FAILED) from None


if __name__ == "__main__":
    main()
