"""The emulator's own request validation (deliberately not the adapter's validator).

Request bodies are checked against the typed databricks-sdk dataclasses (the API methods'
annotated signatures for bodies that have no class), strictly: unknown keys, wrong types, bad
enum values and missing required fields are rejected with their path, as a server would
reject them. Semantic checks (task graph, compute, permission levels) sit on top.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import typing
from functools import cache
from typing import Any

# Fields the service accepts although this SDK version's classes do not declare them.
SERVER_ONLY_FIELDS: dict[str, set[str]] = {}

JOB_LEVELS = {"IS_OWNER", "CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE"}
NOTEBOOK_LEVELS = {"CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"}
PRINCIPAL_KEYS = ("user_name", "group_name", "service_principal_name")
COMPUTE_KEYS = ("new_cluster", "existing_cluster_id", "job_cluster_key", "environment_key")


class InvalidRequest(Exception):
    """Becomes a 400 INVALID_PARAMETER_VALUE reply."""


@cache
def method_schema(api_class: str, method: str) -> dict[str, Any]:
    """The request body of an SDK API method: its keyword parameters and their types."""
    from databricks.sdk.service import jobs

    function = getattr(getattr(jobs, api_class), method)
    hints = typing.get_type_hints(function)
    params = inspect.signature(function).parameters
    return {
        name: hints[name]
        for name, param in params.items()
        if name != "self" and name in hints and name != "return"
    }


def check_body(body: Any, schema: dict[str, Any], required: tuple[str, ...] = ()) -> None:
    if not isinstance(body, dict):
        raise InvalidRequest("request body must be a JSON object")
    errors: list[str] = []
    for key, value in body.items():
        if key not in schema:
            errors.append(f"{key}: unknown field")
        else:
            errors.extend(_check(value, schema[key], key))
    errors.extend(f"{key}: required field missing" for key in required if key not in body)
    if errors:
        raise InvalidRequest("Invalid request (SDK-schema violation): " + "; ".join(errors))


def check_value(value: Any, hint: Any, path: str) -> None:
    errors = _check(value, hint, path)
    if errors:
        raise InvalidRequest("Invalid request (SDK-schema violation): " + "; ".join(errors))


def _check(value: Any, hint: Any, path: str) -> list[str]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union:
        if value is None:
            return []
        return _check(value, next(a for a in args if a is not type(None)), path)
    if hint is Any:
        return []
    if origin in (list, typing.List):  # noqa: UP006
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        return [e for i, item in enumerate(value) for e in _check(item, args[0], f"{path}[{i}]")]
    if origin in (dict, typing.Dict):  # noqa: UP006
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        return [e for k, v in value.items() for e in _check(v, args[1], f"{path}.{k}")]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        allowed = {member.value for member in hint}
        return [] if value in allowed else [f"{path}: {value!r} is not one of {sorted(allowed)}"]
    if dataclasses.is_dataclass(hint):
        return _check_object(value, hint, path)
    if hint is bool:
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean"]
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer"]
    if hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected a number"]
    if hint is str:
        return [] if isinstance(value, str) else [f"{path}: expected a string"]
    return []


def _check_object(value: Any, cls: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: expected an object"]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    extra = SERVER_ONLY_FIELDS.get(cls.__name__, set())
    errors = []
    for key, item in value.items():
        if key in extra:
            continue
        if key not in fields:
            errors.append(f"{path}.{key}: unknown field")
        else:
            errors.extend(_check(item, hints[key], f"{path}.{key}"))
    for name, field in fields.items():
        no_default = field.default is dataclasses.MISSING
        if no_default and field.default_factory is dataclasses.MISSING and name not in value:
            errors.append(f"{path}.{name}: required field missing")
    return errors


# -- semantic checks ---------------------------------------------------------------------------


def check_tasks(tasks: list[dict[str, Any]], job_clusters: list[dict[str, Any]]) -> None:
    keys = [task["task_key"] for task in tasks]
    duplicates = {key for key in keys if keys.count(key) > 1}
    if duplicates:
        raise InvalidRequest(f"Task keys must be unique: {sorted(duplicates)}")
    cluster_keys = {cluster["job_cluster_key"] for cluster in job_clusters}
    for task in tasks:
        for dependency in task.get("depends_on") or []:
            if dependency["task_key"] not in keys:
                raise InvalidRequest(
                    f"Task {task['task_key']} depends on {dependency['task_key']}, "
                    "which is not in this job"
                )
        compute = [key for key in COMPUTE_KEYS if task.get(key)]
        if len(compute) > 1:
            raise InvalidRequest(
                f"Task {task['task_key']} sets more than one compute: {', '.join(compute)}"
            )
        cluster_key = task.get("job_cluster_key")
        if cluster_key and cluster_key not in cluster_keys:
            raise InvalidRequest(
                f"Task {task['task_key']} references job cluster {cluster_key!r}, "
                "which is not defined in job_clusters"
            )
    _check_acyclic(tasks)


def _check_acyclic(tasks: list[dict[str, Any]]) -> None:
    graph = {t["task_key"]: [d["task_key"] for d in t.get("depends_on") or []] for t in tasks}
    done: set[str] = set()

    def visit(key: str, stack: tuple[str, ...]) -> None:
        if key in stack:
            raise InvalidRequest(f"Task dependencies form a cycle: {' -> '.join(stack + (key,))}")
        if key in done:
            return
        for dependency in graph[key]:
            visit(dependency, stack + (key,))
        done.add(key)

    for key in graph:
        visit(key, ())


def check_acl(acl: list[dict[str, Any]], object_type: str) -> None:
    """Permission levels valid for the object; a job has at most one owner, a user or SP."""
    levels = JOB_LEVELS if object_type == "jobs" else NOTEBOOK_LEVELS
    owners = 0
    for entry in acl:
        principals = [key for key in PRINCIPAL_KEYS if entry.get(key)]
        if len(principals) != 1:
            raise InvalidRequest(f"Each ACL entry needs exactly one of {PRINCIPAL_KEYS}: {entry}")
        level = entry.get("permission_level")
        if level not in levels:
            raise InvalidRequest(f"Permission {level} is not valid for {object_type}")
        if level == "IS_OWNER":
            owners += 1
            if principals[0] == "group_name":
                raise InvalidRequest("The owner of a job must be a user or service principal")
    if object_type == "jobs" and owners > 1:
        raise InvalidRequest(f"A job must have exactly one owner, found {owners}")
