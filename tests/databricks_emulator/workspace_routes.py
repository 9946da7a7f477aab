"""Routes: SCIM Me, workspace, permissions, clusters, libraries, and the 1.2 command API."""

from __future__ import annotations

import base64
import binascii
import traceback
import uuid
from typing import TYPE_CHECKING, Any

from tests.databricks_emulator import schema
from tests.databricks_emulator.executor import NotebookRun
from tests.databricks_emulator.state import ApiError, Cluster, State, bad_request, not_found

if TYPE_CHECKING:
    from tests.databricks_emulator.server import DatabricksEmulator

Reply = dict[str, Any]
PERMISSION_TYPES = {"jobs": "job", "notebooks": "notebook"}


def me(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    name = emu.state.user_name
    return {"id": "1", "userName": name, "displayName": name, "active": True}


def mkdirs(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    _require(body, {"path": str}, ("path",))
    with emu.state.lock:
        emu.state.mkdirs(body["path"])
    return {}


def import_(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    fields = {"path": str, "content": str, "format": str, "language": str, "overwrite": bool}
    _require(body, fields, ("path",))
    if body.get("format", "SOURCE") != "SOURCE":
        raise bad_request(f"EMULATOR_UNSUPPORTED: import format {body['format']}")
    if body.get("language") not in (None, "PYTHON"):
        raise bad_request(f"EMULATOR_UNSUPPORTED: notebook language {body['language']}")
    try:
        content = base64.b64decode(body.get("content", ""), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise bad_request("content: not valid base64 UTF-8")
    with emu.state.lock:
        emu.state.put_notebook(body["path"], content, bool(body.get("overwrite")))
    return {}


def get_status(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    path = query.get("path", "").rstrip("/")
    with emu.state.lock:
        found = emu.state.objects.get(path)
        if found is None:
            raise not_found(f"Path ({path})")
        reply: Reply = {
            "object_id": found.object_id,
            "object_type": found.object_type,
            "path": found.path,
        }
        if found.language:
            reply["language"] = found.language
        return reply


# -- permissions ----------------------------------------------------------------------------------


def permissions(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    method, object_type, object_id = emu.current_method, groups[0], groups[1]
    if object_type not in PERMISSION_TYPES:
        raise bad_request(f"EMULATOR_UNSUPPORTED: permissions on {object_type}")
    state = emu.state
    with state.lock:
        _check_object(state, object_type, object_id)
        key = (object_type, object_id)
        if method in ("PUT", "PATCH"):
            from databricks.sdk.service.iam import AccessControlRequest

            _require(body, {"access_control_list": list}, ("access_control_list",))
            schema.check_value(
                body["access_control_list"], list[AccessControlRequest], "access_control_list"
            )
            acl = body["access_control_list"]
            schema.check_acl(acl, object_type)
            if method == "PUT":
                state.acls[key] = _with_owner(state, object_type, acl)
            else:
                state.acls[key] = _merge(state.acls.get(key, []), acl)
        return _object_permissions(state, object_type, object_id)


def _check_object(state: State, object_type: str, object_id: str) -> None:
    if object_type == "jobs":
        state.job(object_id)
    elif not any(str(o.object_id) == object_id for o in state.objects.values()):
        raise not_found(f"Notebook {object_id}")


def _with_owner(state: State, object_type: str, acl: list[dict]) -> list[dict]:
    if object_type != "jobs" or any(e["permission_level"] == "IS_OWNER" for e in acl):
        return list(acl)
    return [state.owner(), *acl]


def _merge(current: list[dict], update: list[dict]) -> list[dict]:
    def principal(entry: dict) -> tuple:
        return tuple(entry.get(k) for k in schema.PRINCIPAL_KEYS)

    merged = {principal(entry): entry for entry in current}
    for entry in update:
        merged[principal(entry)] = entry
    return list(merged.values())


def _object_permissions(state: State, object_type: str, object_id: str) -> Reply:
    entries = []
    for entry in state.acls.get((object_type, object_id), []):
        principal = {k: entry[k] for k in schema.PRINCIPAL_KEYS if entry.get(k)}
        level = {"permission_level": entry["permission_level"], "inherited": False}
        entries.append({**principal, "all_permissions": [level]})
    return {
        "object_id": f"/{object_type}/{object_id}",
        "object_type": PERMISSION_TYPES[object_type],
        "access_control_list": entries,
    }


# -- clusters and libraries -----------------------------------------------------------------------


def cluster_get(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    cluster = _cluster(emu.state, query.get("cluster_id"))
    return {"cluster_id": cluster.cluster_id, "state": cluster.state}


def cluster_start(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    _require(body, {"cluster_id": str}, ("cluster_id",))
    cluster = _cluster(emu.state, body["cluster_id"])
    cluster.state = "RUNNING"
    return {}


def libraries_status(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    cluster = _cluster(emu.state, query.get("cluster_id"))
    return {"cluster_id": cluster.cluster_id, "library_statuses": cluster.library_statuses}


def _cluster(state: State, cluster_id: Any) -> Cluster:
    with state.lock:
        cluster = state.clusters.get(str(cluster_id))
    if cluster is None:
        raise bad_request(f"Cluster {cluster_id} does not exist")
    return cluster


# -- 1.2 command execution (camelCase bodies) -----------------------------------------------------


def context_create(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    _require(body, {"clusterId": str, "language": str}, ("clusterId", "language"))
    if body["language"] != "python":
        raise bad_request(f"EMULATOR_UNSUPPORTED: language {body['language']}")
    cluster = _cluster(emu.state, body["clusterId"])
    if cluster.state != "RUNNING":
        raise bad_request(f"Cluster {cluster.cluster_id} is not running")
    context_id = uuid.uuid4().hex
    with emu.state.lock:
        emu.state.contexts[context_id] = {"cluster": cluster.cluster_id, "ns": {}, "commands": {}}
    return {"id": context_id}


def context_status(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    context_id = query.get("contextId", "")
    _context(emu.state, context_id)
    return {"id": context_id, "status": "Running"}


def context_destroy(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    _require(body, {"clusterId": str, "contextId": str}, ("clusterId", "contextId"))
    _context(emu.state, body["contextId"])
    with emu.state.lock:
        del emu.state.contexts[body["contextId"]]
    return {}


def command_execute(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    fields = {"clusterId": str, "contextId": str, "language": str, "command": str}
    _require(body, fields, tuple(fields))
    context = _context(emu.state, body["contextId"])
    command_id = uuid.uuid4().hex
    run = NotebookRun(body["command"], {}, emu.spark_for_task(), context["ns"]).start()
    context["commands"][command_id] = run
    return {"id": command_id}


def command_status(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    context = _context(emu.state, query.get("contextId", ""))
    command_id = query.get("commandId", "")
    run = context["commands"].get(command_id)
    if run is None:
        raise bad_request(f"Command {command_id} does not exist")
    if run.thread.is_alive():
        return {"id": command_id, "status": "Running"}
    outcome = run.outcome
    if outcome is None or outcome.stopped:
        return {"id": command_id, "status": "Cancelled"}
    if outcome.ok:
        return {"id": command_id, "status": "Finished", "results": {"resultType": "text"}}
    cause = outcome.error_trace or outcome.error or traceback.format_exc()
    results = {"resultType": "error", "summary": outcome.error, "cause": cause}
    return {"id": command_id, "status": "Finished", "results": results}


def command_cancel(emu: DatabricksEmulator, query: dict, body: Any, *groups: str) -> Reply:
    fields = {"clusterId": str, "contextId": str, "commandId": str}
    _require(body, fields, tuple(fields))
    run = _context(emu.state, body["contextId"])["commands"].get(body["commandId"])
    if run is not None:
        run.stop()
    return {}


def _context(state: State, context_id: str) -> dict[str, Any]:
    with state.lock:
        context = state.contexts.get(context_id)
    if context is None:
        raise bad_request(f"Execution context {context_id} does not exist")
    return context


def _require(body: Any, fields: dict[str, type], required: tuple[str, ...]) -> None:
    """Hand-written schema for bodies without an SDK class (strict: unknown keys rejected)."""
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    for key, value in body.items():
        if key not in fields:
            raise bad_request(f"Invalid request: {key}: unknown field")
        if not isinstance(value, fields[key]):
            raise bad_request(f"Invalid request: {key}: expected {fields[key].__name__}")
    missing = [key for key in required if key not in body]
    if missing:
        raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Missing required fields: {missing}")
