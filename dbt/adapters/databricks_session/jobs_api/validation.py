"""Strict checks of a Python model's Jobs API configs against databricks-sdk's typed classes.

databricks-sdk's `from_dict` drops unknown keys, passes wrong types through and turns unknown
enum values into None, so without this a typo in `job_cluster_config` or `post_hook_tasks`
vanishes silently. Every problem is reported, by key path, in one dbt error before any request.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import typing
from functools import cache
from typing import Any

from dbt_common.exceptions import DbtValidationError

# Fields the Databricks service accepts that this databricks-sdk's classes may not declare yet
# (the SDK is generated from the API spec and can lag it). Class name -> field names, e.g.
# `"ClusterSpec": {"new_field"}`, each with a comment naming the service release that added it.
# Empty: databricks-sdk 0.117 declares every field seed 000 and the Jobs API docs use. Allowlisted
# keys are sent as written (the SDK's `from_dict` would drop them, so they go in untyped).
SDK_LAG_ALLOWLIST: dict[str, set[str]] = {}
GRANT_LEVELS = ("view", "run", "manage")
PRINCIPALS = ("user_name", "group_name", "service_principal_name")
# python_job_config keys the model's own task takes (JobSettings has no such field).
TASK_LEVEL_KEYS = (
    "max_retries",
    "min_retry_interval_millis",
    "retry_on_timeout",
    "existing_cluster_id",
)
DBT_KEYS = ("existing_job_id", "grants", "post_hook_tasks", "additional_task_settings")


def check_model_config(unique_id: str, config: dict[str, Any]) -> None:
    """Raise one DbtValidationError listing every invalid Jobs API config key of the model."""
    errors = config_errors(config)
    if errors:
        listed = "\n".join(f"  - {error}" for error in errors)
        raise DbtValidationError(
            f"Python model {unique_id} has invalid Jobs API configuration (checked against "
            f"databricks-sdk's job and cluster classes; nothing was sent):\n{listed}"
        )


def config_errors(config: dict[str, Any]) -> list[str]:
    from databricks.sdk.service import compute, iam, jobs

    errors: list[str] = []
    if config.get("job_cluster_config"):
        errors += check(config["job_cluster_config"], compute.ClusterSpec, "job_cluster_config")
    if config.get("access_control_list"):
        hint = list[jobs.JobAccessControlRequest]
        errors += check(config["access_control_list"], hint, "access_control_list")
    if config.get("notebook_access_control_list"):
        key = "notebook_access_control_list"
        errors += check(config[key], list[iam.AccessControlRequest], key)
    if config.get("additional_libs"):
        errors += check(config["additional_libs"], list[compute.Library], "additional_libs")
    if config.get("cluster_id") is not None:
        errors += check(config["cluster_id"], str, "cluster_id")
    if config.get("python_job_config"):
        errors += python_job_config_errors(config["python_job_config"])
    return errors


def python_job_config_errors(value: Any) -> list[str]:
    from databricks.sdk.service import jobs

    path = "python_job_config"
    if not isinstance(value, dict):
        return [f"`{path}`: expected a mapping, got {_kind(value)}"]
    settings = _field_hints(jobs.JobSettings)
    task = _field_hints(jobs.Task)
    allowed = {**settings, **{k: task[k] for k in TASK_LEVEL_KEYS}}
    errors: list[str] = []
    for key, item in value.items():
        where = f"{path}.{key}"
        if key == "existing_job_id":
            if not (isinstance(item, int) or (isinstance(item, str) and item.isdigit())):
                errors.append(f"`{where}`: expected a job id (a number), got {item!r}")
        elif key == "grants":
            errors += _grant_errors(item, where)
        elif key == "post_hook_tasks":
            errors += check(item, list[jobs.Task], where)
        elif key == "additional_task_settings":
            errors += check(item, jobs.Task, where, partial=True)
        elif key == "tasks":
            errors.append(f"`{where}`: dbt builds the tasks; add yours as `post_hook_tasks`")
        elif key in allowed:
            errors += check(item, allowed[key], where)
        else:
            errors.append(_unknown(where, key, [*allowed, *DBT_KEYS]))
    return errors


def _grant_errors(value: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"`{path}`: expected a mapping of {', '.join(GRANT_LEVELS)}"]
    errors = []
    for level, grants in value.items():
        where = f"{path}.{level}"
        if level not in GRANT_LEVELS:
            errors.append(_unknown(where, level, GRANT_LEVELS))
            continue
        if not isinstance(grants, list):
            errors.append(f"`{where}`: expected a list, got {_kind(grants)}")
            continue
        for i, grant in enumerate(grants):
            keys = list(grant) if isinstance(grant, dict) else []
            bad = [k for k in keys if k not in PRINCIPALS]
            for key in bad:
                errors.append(_unknown(f"{where}[{i}].{key}", key, PRINCIPALS))
            if not bad and len(keys) != 1:
                errors.append(f"`{where}[{i}]`: expected exactly one of {', '.join(PRINCIPALS)}")
    return errors


def check(value: Any, hint: Any, path: str, partial: bool = False) -> list[str]:
    """Problems of `value` against the type `hint` (SDK dataclasses, enums, lists, primitives)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union:
        if value is None:
            return []
        return check(value, next(a for a in args if a is not type(None)), path, partial)
    if hint is Any:
        return []
    if origin is list:
        if not isinstance(value, list):
            return [f"`{path}`: expected a list, got {_kind(value)}"]
        return [e for i, item in enumerate(value) for e in check(item, args[0], f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"`{path}`: expected a mapping, got {_kind(value)}"]
        return [e for k, v in value.items() for e in check(v, args[1], f"{path}.{k}")]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        allowed = [member.value for member in hint]
        if value in allowed:
            return []
        near = difflib.get_close_matches(str(value), allowed, n=1)
        tip = f"; did you mean `{near[0]}`?" if near else f" (one of {', '.join(allowed)})"
        return [f"`{path}`: {value!r} is not a valid value{tip}"]
    if dataclasses.is_dataclass(hint):
        return _object_errors(value, hint, path, partial)
    expected = {bool: (bool,), int: (int,), float: (int, float), str: (str,)}.get(hint)
    if expected is None:
        return []
    ok = isinstance(value, expected) and (hint is bool or not isinstance(value, bool))
    return [] if ok else [f"`{path}`: expected {hint.__name__}, got {_kind(value)} {value!r}"]


def _object_errors(value: Any, cls: Any, path: str, partial: bool) -> list[str]:
    if not isinstance(value, dict):
        return [f"`{path}`: expected a mapping ({cls.__name__}), got {_kind(value)}"]
    hints = _field_hints(cls)
    extra = SDK_LAG_ALLOWLIST.get(cls.__name__, set())
    errors: list[str] = []
    for key, item in value.items():
        if key in extra:
            continue
        if key not in hints:
            errors.append(_unknown(f"{path}.{key}", key, hints))
        else:
            errors += check(item, hints[key], f"{path}.{key}")
    if not partial:
        errors += [
            f"`{path}.{name}`: required key missing" for name in _required(cls) if name not in value
        ]
    return errors


def _unknown(path: str, key: str, known: Any) -> str:
    near = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.75)
    return f"`{path}`: unknown key" + (f"; did you mean `{near[0]}`?" if near else "")


@cache
def _field_hints(cls: Any) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


@cache
def _required(cls: Any) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
