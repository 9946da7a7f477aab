"""In-memory workspace state shared by the route handlers, guarded by one lock."""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from tests.databricks_emulator.runs import Run

DEFAULT_USER = "dbt-emulator@example.com"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


class ApiError(Exception):
    """A Databricks error reply: `{"error_code": ..., "message": ...}` with an HTTP status."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message


def not_found(what: str) -> ApiError:
    return ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"{what} does not exist.")


def bad_request(message: str) -> ApiError:
    return ApiError(400, "INVALID_PARAMETER_VALUE", message)


@dataclass
class WorkspaceObject:
    object_id: int
    path: str
    object_type: str  # NOTEBOOK or DIRECTORY
    language: str | None = None
    content: str = ""


@dataclass
class Job:
    job_id: int
    settings: dict[str, Any]
    creator_user_name: str
    created_time: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "settings": self.settings,
            "creator_user_name": self.creator_user_name,
            "created_time": self.created_time,
        }


@dataclass
class Cluster:
    cluster_id: str
    state: str = "RUNNING"
    library_statuses: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class State:
    user_name: str = DEFAULT_USER
    lock: threading.RLock = field(default_factory=threading.RLock)
    objects: dict[str, WorkspaceObject] = field(default_factory=dict)
    jobs: dict[int, Job] = field(default_factory=dict)
    hidden_jobs: dict[int, Job] = field(default_factory=dict)  # behind one-time runs, unlisted
    runs: dict[int, Run] = field(default_factory=dict)
    task_runs: dict[int, tuple[Run, int]] = field(default_factory=dict)  # id -> (run, index)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    # (object type, object id) -> ACL entries as sent (`permission_level` and one principal)
    acls: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    contexts: dict[str, dict[str, Any]] = field(default_factory=dict)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1001))

    def next_id(self) -> int:
        return next(self.ids)

    def owner(self) -> dict[str, str]:
        """The caller as a job owner: a UUID user name is a service principal's."""
        key = "service_principal_name" if UUID.fullmatch(self.user_name) else "user_name"
        return {key: self.user_name, "permission_level": "IS_OWNER"}

    # -- workspace tree -----------------------------------------------------------------------

    def mkdirs(self, path: str) -> None:
        parts = [p for p in path.split("/") if p]
        for i in range(1, len(parts) + 1):
            sub = "/" + "/".join(parts[:i])
            existing = self.objects.get(sub)
            if existing is None:
                self.objects[sub] = WorkspaceObject(self.next_id(), sub, "DIRECTORY")
            elif existing.object_type != "DIRECTORY":
                raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"{sub} is not a directory")

    def put_notebook(self, path: str, content: str, overwrite: bool = True) -> WorkspaceObject:
        path = path.rstrip("/")
        parent = path.rsplit("/", 1)[0]
        if parent and parent not in self.objects:
            raise not_found(f"Parent folder {parent}")
        existing = self.objects.get(path)
        if existing is not None and not overwrite:
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Path ({path}) already exists.")
        object_id = existing.object_id if existing else self.next_id()
        notebook = WorkspaceObject(object_id, path, "NOTEBOOK", "PYTHON", content)
        self.objects[path] = notebook
        return notebook

    def notebook_source(self, path: str) -> str | None:
        with self.lock:
            found = self.objects.get(path.rstrip("/"))
            return found.content if found and found.object_type == "NOTEBOOK" else None

    # -- jobs -----------------------------------------------------------------------------------

    def job(self, job_id: Any) -> Job:
        try:
            key = int(job_id)
            return self.jobs[key] if key in self.jobs else self.hidden_jobs[key]
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Job {job_id} does not exist.")

    def run(self, run_id: Any) -> Run:
        try:
            return self.runs[int(run_id)]
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "INVALID_PARAMETER_VALUE", f"Run {run_id} does not exist.")

    def run_for_output(self, run_id: Any) -> tuple[Run, int]:
        try:
            key = int(run_id)
        except (TypeError, ValueError):
            raise bad_request(f"Run {run_id} does not exist.")
        if key in self.task_runs:
            return self.task_runs[key]
        run = self.run(key)
        if len(run.tasks) != 1:
            raise bad_request(
                "Retrieving the output of runs with multiple tasks is not supported. "
                "Please retrieve the output of each individual task run instead."
            )
        return run, 0
