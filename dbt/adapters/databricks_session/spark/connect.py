"""Spark Connect: reaching a server, serving local Spark over Connect, one session per connection.

A Connect session (Databricks serverless, standard-access clusters, Databricks Connect, or a local
Connect server) has no `sparkContext`, RDDs or py4j: everything goes through gRPC. This module is
the only place that knows how Connect sessions are made; handle.py only asks `is_connect()`.
"""

from __future__ import annotations

import atexit
import re
import secrets
import socket
import sys
import threading
from typing import TYPE_CHECKING, Any

from dbt.adapters.databricks.logging import logger
from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.databricks_session.spark.errors import is_spark_error, spark_error_message

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOCAL_PREFIX = "local"
LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 15002
REACH_TIMEOUT_S = 10
_URL = re.compile(r"^sc://(?P<host>\[[^\]]+\]|[^:/;]+)(?::(?P<port>\d+))?(?:/.*)?$")
ADDRESS_CONF = "spark.connect.grpc.binding.address"
PORT_CONF = "spark.connect.grpc.binding.port"
TOKEN_CONF = "spark.connect.authenticate.token"
_TOKEN_IN_URL = re.compile(r"(token=)[^;]*", re.IGNORECASE)

CONNECT_MISSING = (
    "Spark Connect needs pyspark's connect dependencies (grpcio, pandas, pyarrow), which are not "
    "installed. Locally, install the extra: pip install 'dbt-databricks-session[local]'."
)


def is_connect(spark: Any) -> bool:
    """True for a Spark Connect session (pyspark's, or Databricks Connect's, which is one).

    Nobody made one unless pyspark's Connect module is loaded, so it is never imported here.
    """
    module = sys.modules.get("pyspark.sql.connect.session")
    return module is not None and isinstance(spark, module.SparkSession)


def node_tag(label: str) -> str:
    """An operation tag naming the dbt node (Connect tags cannot be empty or hold commas)."""
    return "dbt-node:" + (label.replace(",", "_") or "dbt")


def is_local_remote(remote: str) -> bool:
    """`local`, `local[4]`, `local[*]`: serve this process's local Spark over Connect."""
    return remote.strip().lower().startswith(LOCAL_PREFIX)


def redact(url: str) -> str:
    """The URL with its token hidden, for logs and `dbt debug`."""
    return _TOKEN_IN_URL.sub(r"\1<redacted>", url)


def connect_session_class() -> Any:
    try:
        from pyspark.sql.connect.session import SparkSession as ConnectSparkSession
    except ImportError:
        raise DbtRuntimeError(CONNECT_MISSING) from None
    return ConnectSparkSession


def existing_connect_session() -> SparkSession | None:
    """The Connect session this process already made (a serverless notebook's `spark`), if any.

    Only looked up when pyspark's Connect module is already loaded: nobody made a Connect
    session otherwise, and importing it needs the optional gRPC dependencies.
    """
    module = sys.modules.get("pyspark.sql.connect.session")
    if module is None:
        return None
    cls = module.SparkSession
    return cls.getActiveSession() or cls._get_default_session()


def connect(url: str) -> SparkSession:
    """A new Connect session on the server at `url`, checked to be reachable now.

    `create()` registers the session as the process's default and active one; the adapter's
    sessions are its own, so that is undone (only a caller's session counts as "existing").
    """
    check_reachable(url)
    cls = connect_session_class()
    session = cls.builder.remote(url).create()
    if cls._default_session is session:
        cls._default_session = None
    if getattr(cls._active_session, "session", None) is session:
        cls._active_session.session = None
    try:
        session.version  # the first RPC: a refused token or TLS mismatch fails here
    except Exception as exc:
        session.client.close()  # not stop(): releasing the session would retry for minutes
        raise DbtRuntimeError(
            f"Could not open a Spark Connect session at {redact(url)}: {_grpc_reason(exc)}"
        ) from None
    _owned.add(session)
    return session


def check_reachable(url: str) -> None:
    """Fail in seconds, not after pyspark's minutes of retries, when nothing listens at `url`."""
    match = _URL.match(url.strip())
    if match is None:
        raise DbtRuntimeError(
            f"`spark_remote: {redact(url)}` is not a Spark Connect URL: use "
            "`sc://host:port` (optionally `/;token=...`), or `local[N]` for a local server."
        )
    host, port = match.group("host").strip("[]"), int(match.group("port") or DEFAULT_PORT)
    try:
        socket.create_connection((host, port), timeout=REACH_TIMEOUT_S).close()
    except OSError as exc:
        raise DbtRuntimeError(
            f"Could not reach the Spark Connect server at {redact(url)} ({exc}). Check the "
            "profile's `spark_remote` (or the SPARK_REMOTE environment variable) and that the "
            "server is running."
        ) from None


def serve_over_connect(classic: SparkSession) -> str:
    """Start a Connect server inside the JVM of an in-process classic session; its URL.

    Bound to a free port of the loopback address and protected by a token (unless the Spark conf
    says otherwise), in the same JVM, so the classic and Connect sessions share one metastore
    (an embedded Derby metastore admits one JVM only).
    """
    context: Any = classic.sparkContext
    service = getattr(context._jvm.org.apache.spark.sql.connect.service, "SparkConnectService$")
    service = getattr(service, "MODULE$")
    conf = context._conf  # the live JVM conf the service reads when it starts
    if not service.started():
        if not conf.contains(ADDRESS_CONF):
            conf.set(ADDRESS_CONF, LOOPBACK)
        if not conf.contains(TOKEN_CONF):
            conf.set(TOKEN_CONF, secrets.token_hex(16))
        if not conf.contains(PORT_CONF):
            conf.set(PORT_CONF, "0")  # any free port: other processes may serve Connect too
        try:
            service.start(context._jsc.sc())
        except Exception as exc:
            raise DbtRuntimeError(
                f"Could not start a local Spark Connect server: {spark_error_message(exc)}"
            ) from None
        logger.debug(f"Serving local Spark over Spark Connect on port {service.localPort()}")
    token = conf.get(TOKEN_CONF, None)
    # pyspark sends a token over plain gRPC only to the host named "localhost".
    url = f"sc://localhost:{service.localPort()}"
    return f"{url}/;token={token}" if token else url


def new_connection_session(base: SparkSession) -> SparkSession | None:
    """A fresh server-side session for one dbt connection, or None where the client or server
    cannot make one (Connect clients before pyspark 4.3 have no `newSession`; `cloneSession`
    came in 4.1). The clone copies the base's state, which the connection then resets."""
    for method in ("newSession", "cloneSession"):
        make = getattr(base, method, None)
        if make is None:
            continue
        try:
            session = make()
        except Exception as exc:
            if not (is_spark_error(exc) or isinstance(exc, NotImplementedError)):
                raise
            logger.debug(f"Spark Connect {method}() is not available here: {exc}")
            continue
        if not hasattr(session, "release_session_on_close"):
            # pyspark 4.1/4.2's cloneSession skips __init__, so stop() fails on this attribute:
            # the server session is never released and the open channel hangs the exit.
            session.release_session_on_close = True
        _owned.add(session)
        return session
    return None


def release(session: SparkSession) -> None:
    """Release a session this adapter made (its server-side state goes with it)."""
    _owned.discard(session)
    _stop_quietly(session)


class _OwnedSessions:
    """Connect sessions this adapter made, stopped at exit.

    A Connect session left open when Python exits makes the interpreter hang: its finalizer
    closes the gRPC channel during shutdown and waits forever.
    """

    def __init__(self) -> None:
        self._sessions: list[Any] = []
        self._lock = threading.Lock()
        atexit.register(self.stop_all)

    def add(self, session: Any) -> None:
        with self._lock:
            self._sessions.append(session)

    def discard(self, session: Any) -> None:
        with self._lock:
            self._sessions = [s for s in self._sessions if s is not session]

    def stop_all(self) -> None:
        """Close the clients; no release RPC (the server may already be gone, and pyspark would
        retry it for minutes): servers expire idle sessions themselves."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in reversed(sessions):
            try:
                session.client.close()
            except Exception as exc:  # best effort at exit
                logger.debug(f"Could not close a Spark Connect client: {exc}")


_owned = _OwnedSessions()


def _stop_quietly(session: Any) -> None:
    try:
        session.stop()
    except Exception as exc:  # stopping is best effort; the server may already be gone
        logger.debug(f"Could not stop a Spark Connect session: {exc}")


def _grpc_reason(exc: BaseException) -> str:
    details = getattr(exc, "details", None)
    if callable(details):
        try:
            return str(details())
        except Exception:  # noqa: BLE001 - fall back to the exception text
            pass
    return spark_error_message(exc).splitlines()[0] if str(exc) else type(exc).__name__
