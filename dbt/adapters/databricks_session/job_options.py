"""The job runner's parameters: checked, normalised, and turned into dbt command lines.

Two ways to say what dbt runs: the job-parameter conveniences (`--command`, `--select`,
`--skip-tests`, ...), or any dbt command line after `--` (`-- docs generate`,
`-- source freshness`, `-- build --state prod/ --defer --fail-fast`, `-- --log-format json run`
...). Both get the runner's locations (project, profiles, target and log paths) unless the dbt
command line gives its own.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

COMMANDS = ("build", "run", "test", "seed", "snapshot")
FULL_REFRESH_COMMANDS = ("build", "run", "seed")
TEST_RESOURCE_TYPES = ("test", "unit_test")
PACKAGE_FILES = ("packages.yml", "dependencies.yml")
# dbt commands without --target-path, and the ones a job must not run (they never end / prompt).
NO_TARGET_PATH_COMMANDS = ("debug", "deps", "init")
REFUSED_COMMANDS = ("docs serve", "init")
# dbt's global flags that take a value (they may come before the command).
VALUE_FLAGS = (
    "--log-format",
    "--log-format-file",
    "--log-level",
    "--log-level-file",
    "--log-path",
    "--profiles-dir",
    "--project-dir",
    "--target-path",
    "--printer-width",
)
TRUE_WORDS = ("true", "1", "yes", "y", "on")
FALSE_WORDS = ("false", "0", "no", "n", "off", "")
PathArg: TypeAlias = "str | os.PathLike[str]"


class JobUsageError(ValueError):
    """The parameters cannot describe a dbt run (exit status 2)."""


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
    passthrough: tuple[str, ...] = ()  # a whole dbt command line, given after `--`


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
    dbt: str | Sequence[str] | None = None,
) -> JobOptions:
    """Check and normalise the parameters of one run."""
    project = resolve_project_dir(project_dir)
    artifacts = _text(artifacts_dir)
    passthrough = passthrough_words(dbt)
    if passthrough:
        check_no_shaping(command, skip_tests, select, exclude, vars, full_refresh, threads)
        command = " ".join(command_words(passthrough))
        if not command:
            raise JobUsageError(
                "dbt (no command): the words after `--` must start with a dbt command, "
                "e.g. `-- docs generate` or `-- --log-format json run`"
            )
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
        passthrough=passthrough,
    )
    check_combination(options)
    return options


def check_combination(options: JobOptions) -> None:
    if options.passthrough:
        if options.command in REFUSED_COMMANDS:
            raise JobUsageError(
                f"dbt {options.command}: give a dbt command that ends, "
                "e.g. `-- docs generate` or `-- source freshness`"
            )
        return
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
    if options.passthrough:
        return passthrough_args(options)
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


def passthrough_words(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """A dbt command line given after `--` (words) or as one job parameter (shell words)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(shlex.split(value))
    return tuple(str(word) for word in value)


def command_words(words: Sequence[str]) -> list[str]:
    """The dbt command in a command line: its words before the first flag."""
    found: list[str] = []
    rest = list(words)
    while rest and rest[0].startswith("-"):  # dbt's global flags may come first
        flag = rest.pop(0)
        if "=" not in flag and flag in VALUE_FLAGS and rest:
            rest.pop(0)
    for word in rest:
        if word.startswith("-"):
            break
        found.append(word)
    return found[:2] if found[:1] in (["docs"], ["source"]) else found[:1]


def check_no_shaping(
    command: str | None,
    skip_tests: bool | str,
    select: str | Sequence[str] | None,
    exclude: str | Sequence[str] | None,
    vars: str | Mapping[str, Any] | None,
    full_refresh: bool | str,
    threads: int | str | None,
) -> None:
    """With a dbt command line after `--`, its flags say what runs: the runner's do not."""
    given = {
        "command": (command or "build").strip().lower() != "build",
        "skip_tests": parse_bool(skip_tests, "skip_tests"),
        "select": bool(selection_words(select)),
        "exclude": bool(selection_words(exclude)),
        "vars": vars_text(vars) is not None,
        "full_refresh": parse_bool(full_refresh, "full_refresh"),
        "threads": parse_threads(threads) is not None,
    }
    clashing = [name for name, present in given.items() if present]
    if clashing:
        raise JobUsageError(
            f"{', '.join(clashing)}: give dbt's own flags after `--` together with the dbt "
            "command (e.g. `-- run --select x --threads 4`), not as runner parameters"
        )


def passthrough_args(options: JobOptions) -> list[str]:
    """The user's dbt command line plus the locations the runner decides, unless given."""
    args = list(options.passthrough)
    present = {word.split("=", 1)[0] for word in args if word.startswith("--")}
    wanted = [("--project-dir", options.project_dir), ("--log-path", options.log_path)]
    if options.profiles_dir:
        wanted.append(("--profiles-dir", options.profiles_dir))
    if options.target:
        wanted.append(("--target", options.target))
    if options.command not in NO_TARGET_PATH_COMMANDS:
        wanted.append(("--target-path", options.target_path))
    for flag, value in wanted:
        if flag not in present and not (flag == "--target" and "-t" in args):
            args += [flag, value]
    return args


def has_packages(project_dir: str) -> bool:
    return any(os.path.isfile(os.path.join(project_dir, name)) for name in PACKAGE_FILES)
