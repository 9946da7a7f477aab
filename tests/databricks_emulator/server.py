"""The HTTP server: routing, bearer auth, Databricks-shaped errors, faults and the journal."""

from __future__ import annotations

import base64
import fnmatch
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.databricks_emulator import jobs_routes as jobs
from tests.databricks_emulator import workspace_routes as ws
from tests.databricks_emulator.runs import Engine, EngineSettings, Run
from tests.databricks_emulator.schema import InvalidRequest
from tests.databricks_emulator.state import ApiError, Cluster, Job, State

DEFAULT_FAULT_CODES = {429: "REQUEST_LIMIT_EXCEEDED", 503: "TEMPORARILY_UNAVAILABLE"}
JOBS = r"/api/2\.[12]/jobs"
CLUSTERS = r"/api/2\.[01]/clusters"
ROUTES: list[tuple[str, str, Callable[..., dict]]] = [
    ("GET", r"/api/2\.0/preview/scim/v2/Me", ws.me),
    ("POST", r"/api/2\.0/workspace/mkdirs", ws.mkdirs),
    ("POST", r"/api/2\.0/workspace/import", ws.import_),
    ("GET", r"/api/2\.0/workspace/get-status", ws.get_status),
    ("GET|PUT|PATCH", r"/api/2\.0/permissions/(\w+)/([^/]+)", ws.permissions),
    ("GET", CLUSTERS + r"/get", ws.cluster_get),
    ("POST", CLUSTERS + r"/start", ws.cluster_start),
    ("GET", r"/api/2\.0/libraries/cluster-status", ws.libraries_status),
    ("POST", r"/api/1\.2/contexts/create", ws.context_create),
    ("GET", r"/api/1\.2/contexts/status", ws.context_status),
    ("POST", r"/api/1\.2/contexts/destroy", ws.context_destroy),
    ("POST", r"/api/1\.2/commands/execute", ws.command_execute),
    ("GET", r"/api/1\.2/commands/status", ws.command_status),
    ("POST", r"/api/1\.2/commands/cancel", ws.command_cancel),
    ("POST", JOBS + r"/create", jobs.create),
    ("POST", JOBS + r"/reset", jobs.reset),
    ("GET", JOBS + r"/get", jobs.get),
    ("GET", JOBS + r"/list", jobs.list_),
    ("POST", JOBS + r"/run-now", jobs.run_now),
    ("POST", JOBS + r"/runs/submit", jobs.submit),
    ("GET", JOBS + r"/runs/get", jobs.run_get),
    ("GET", JOBS + r"/runs/get-output", jobs.run_output),
    ("POST", JOBS + r"/runs/cancel", jobs.run_cancel),
]


@dataclass
class Fault:
    """A rule applied to matching requests (method, glob on the path), `times` times after
    skipping `offset` matches. Kinds: `status` (with `error_code`, `message`, `retry_after`),
    `delay` seconds before handling, `hang` (no reply until the emulator stops), `drop`
    (close the connection unhandled) and `drop_after_apply` (handle, then close unanswered)."""

    method: str | None = None
    path: str = "*"
    status: int | None = None
    error_code: str | None = None
    message: str | None = None
    retry_after: float | None = None
    delay: float = 0.0
    hang: bool = False
    drop: bool = False
    drop_after_apply: bool = False
    offset: int = 0
    times: int = 1
    seen: int = 0
    fired: int = 0

    def take(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        if not fnmatch.fnmatch(path, self.path):
            return False
        self.seen += 1
        if self.seen <= self.offset or self.fired >= self.times:
            return False
        self.fired += 1
        return True


class DatabricksEmulator:
    """See the package docstring (tests/databricks_emulator/__init__.py) for the interface."""

    def __init__(
        self,
        spark: Any = None,
        *,
        spark_less: bool = False,
        startup_seconds: float = 0.0,
        failure_life_cycle: str = "TERMINATED",
        port: int = 0,
        journal_path: str | None = None,
        user_name: str | None = None,
    ) -> None:
        self._spark = spark
        self.spark_less = spark_less
        self.token = "dapi-emulator-" + secrets.token_hex(16)
        # OAuth M2M: these client credentials get `token` from the workspace OIDC endpoint.
        self.client_id = "emulator-service-principal"
        self.client_secret = "dose" + secrets.token_hex(16)
        self.state = State(user_name=user_name) if user_name else State()
        self.settings = EngineSettings(startup_seconds, failure_life_cycle)
        self.engine = Engine(self.settings, self.state.notebook_source, self.spark_for_task)
        self.requests: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.journal_path = journal_path
        self._port = port
        self._journal_lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._stopping = threading.Event()
        self._local = threading.local()  # the method of the request this thread handles

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> DatabricksEmulator:
        emulator = self

        class Handler(_Handler):
            emu = emulator

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="emulator", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for run in list(self.state.runs.values()):
            run.cancel.set()

    def __enter__(self) -> DatabricksEmulator:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "the emulator is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- scripting ------------------------------------------------------------------------------

    def add_fault(self, **rule: Any) -> Fault:
        fault = Fault(**rule)
        with self.state.lock:
            self.faults.append(fault)
        return fault

    def add_cluster(self, cluster_id: str, state: str = "RUNNING") -> None:
        with self.state.lock:
            self.state.clusters[cluster_id] = Cluster(cluster_id, state)

    def add_notebook(self, path: str, source: str) -> None:
        with self.state.lock:
            self.state.mkdirs(path.rsplit("/", 1)[0] or "/")
            self.state.put_notebook(path, source)

    def add_job(self, settings: dict[str, Any], job_id: int | None = None) -> int:
        with self.state.lock:
            job_id = job_id or self.state.next_id()
            self.state.jobs[job_id] = Job(job_id, settings, self.state.user_name, 0)
            owner = self.state.owner()
            self.state.acls[("jobs", str(job_id))] = [owner]
        return job_id

    @property
    def jobs(self) -> dict[int, Job]:
        return self.state.jobs

    @property
    def runs(self) -> dict[int, Run]:
        return self.state.runs

    def acl(self, object_type: str, object_id: Any) -> list[dict[str, Any]]:
        with self.state.lock:
            return list(self.state.acls.get((object_type, str(object_id)), []))

    def requests_to(self, method: str, path_suffix: str) -> list[dict[str, Any]]:
        return [
            r for r in self.requests if r["method"] == method and r["path"].endswith(path_suffix)
        ]

    def wait_idle(self, limit: float = 60.0) -> None:
        """Wait until every run has finished."""
        for run in list(self.state.runs.values()):
            run.done.wait(limit)

    def spark_for_task(self) -> Any:
        if self.spark_less:
            return None
        if self._spark is not None:
            return self._spark
        from pyspark.sql import SparkSession

        return SparkSession.builder.getOrCreate()

    # -- request handling (called by the handler threads) ---------------------------------------

    @property
    def current_method(self) -> str:
        return str(getattr(self._local, "method", ""))

    def record(self, entry: dict[str, Any]) -> None:
        with self._journal_lock:
            self.requests.append(entry)
            if self.journal_path:
                with open(self.journal_path, "a", encoding="utf-8") as journal:
                    journal.write(json.dumps(entry) + "\n")

    def fault_for(self, method: str, path: str) -> Fault | None:
        with self.state.lock:
            return next((f for f in self.faults if f.take(method, path)), None)

    def dispatch(self, method: str, path: str, query: dict, body: Any) -> tuple[int, dict]:
        for methods, pattern, handler in ROUTES:
            match = re.fullmatch(pattern, path)
            if match and method in methods.split("|"):
                try:
                    self._local.method = method
                    return 200, handler(self, query, body, *match.groups())
                except ApiError as err:
                    return err.status, {"error_code": err.error_code, "message": err.message}
                except InvalidRequest as err:
                    return 400, {"error_code": "INVALID_PARAMETER_VALUE", "message": str(err)}
                except Exception as err:  # noqa: BLE001 - an emulator bug is a loud 500
                    message = f"emulator bug: {type(err).__name__}: {err}"
                    return 500, {"error_code": "INTERNAL_ERROR", "message": message}
        if any(re.fullmatch(pattern, path) for _, pattern, _ in ROUTES):
            return 405, {"error_code": "BAD_REQUEST", "message": f"{method} not allowed on {path}"}
        return 404, {"error_code": "ENDPOINT_NOT_FOUND", "message": f"No API found for {path}"}


class _Handler(BaseHTTPRequestHandler):
    emu: DatabricksEmulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        return

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._handle("PUT")

    def do_PATCH(self) -> None:  # noqa: N802
        self._handle("PATCH")

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, dict(parse_qsl(parts.query))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = None
        if path == "/.well-known/databricks-config":
            self._reply(200, {"oidc_endpoint": f"{self.emu.url}/oidc"})
            return
        if path.startswith("/oidc/"):
            self.emu.record({"method": method, "path": path, "query": query, "body": None})
            self._oidc(path)
            return
        if path.startswith("/__emu/"):
            self._control(method, path, body)
            return
        self.emu.record({"method": method, "path": path, "query": query, "body": body})
        if self.headers.get("Authorization") != f"Bearer {self.emu.token}":
            self._reply(401, {"error_code": "UNAUTHENTICATED", "message": "Invalid access token."})
            return
        fault = self.emu.fault_for(method, path)
        if fault is not None and self._apply_fault_before(fault):
            return
        if raw and body is None:
            self._reply(400, {"error_code": "MALFORMED_REQUEST", "message": "Invalid JSON"})
            return
        status, reply = self.emu.dispatch(method, path, query, body)
        if fault is not None and fault.drop_after_apply:
            self._drop()
            return
        self._reply(status, reply)

    def _apply_fault_before(self, fault: Fault) -> bool:
        """Apply the part of a fault that comes before handling; True when the reply is done."""
        if fault.delay:
            time.sleep(fault.delay)
        if fault.hang:
            self.emu._stopping.wait()
            self._drop()
            return True
        if fault.drop:
            self._drop()
            return True
        if fault.status:
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(int(fault.retry_after))
            code = fault.error_code or DEFAULT_FAULT_CODES.get(fault.status, "INTERNAL_ERROR")
            message = fault.message or f"Injected fault {fault.status}"
            self._reply(fault.status, {"error_code": code, "message": message}, headers)
            return True
        return False

    def _oidc(self, path: str) -> None:
        """OAuth M2M: discovery, and client credentials (HTTP Basic) for the bearer token."""
        base = f"{self.emu.url}/oidc"
        if path == "/oidc/.well-known/oauth-authorization-server":
            endpoints = {"issuer": base, "authorization_endpoint": f"{base}/v1/authorize"}
            self._reply(200, {**endpoints, "token_endpoint": f"{base}/v1/token"})
            return
        pair = f"{self.emu.client_id}:{self.emu.client_secret}".encode()
        expected = "Basic " + base64.b64encode(pair).decode()
        if path != "/oidc/v1/token" or self.headers.get("Authorization") != expected:
            error = {"error": "invalid_client", "error_description": "Client authentication failed"}
            self._reply(401, error)
            return
        token = {"access_token": self.emu.token, "token_type": "Bearer", "expires_in": 3600}
        self._reply(200, token)

    def _control(self, method: str, path: str, body: Any) -> None:
        if path == "/__emu/requests" and method == "GET":
            self._reply(200, {"requests": self.emu.requests})
        elif path == "/__emu/faults" and method == "POST" and isinstance(body, dict):
            self.emu.add_fault(**body)
            self._reply(200, {})
        else:
            self._reply(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": path})

    def _reply(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
