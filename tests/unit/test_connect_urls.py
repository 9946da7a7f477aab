"""Spark Connect URL handling that needs no server: parsing, redaction, tags, unreachable hosts."""

from __future__ import annotations

import socket
import time

import pytest
from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.databricks_session.spark import connect


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("sc://h:1/;token=abc", "sc://h:1/;token=<redacted>"),
        ("sc://h:1/;TOKEN=abc;use_ssl=true", "sc://h:1/;TOKEN=<redacted>;use_ssl=true"),
        ("sc://h:1/;user_id=u;token=a;b", "sc://h:1/;user_id=u;token=<redacted>;b"),
        ("sc://h:1", "sc://h:1"),
        ("local[2]", "local[2]"),
    ],
)
def test_redact_hides_only_the_token(url: str, shown: str) -> None:
    assert connect.redact(url) == shown


@pytest.mark.parametrize(
    ("remote", "local"),
    [("local", True), ("local[4]", True), (" local[*] ", True), ("sc://localhost", False)],
)
def test_local_remotes(remote: str, local: bool) -> None:
    assert connect.is_local_remote(remote) is local


def test_node_tag_is_a_valid_connect_tag() -> None:
    assert connect.node_tag("model.p.orders") == "dbt-node:model.p.orders"
    assert "," not in connect.node_tag("model.p.a,b")
    assert connect.node_tag("") == "dbt-node:dbt"


@pytest.mark.parametrize("url", ["https://h:443", "h:15002", "sc:/h", "sc://"])
def test_urls_that_are_not_spark_connect_are_refused(url: str) -> None:
    with pytest.raises(DbtRuntimeError, match="not a Spark Connect URL"):
        connect.check_reachable(url)


def test_a_closed_port_fails_at_once_naming_the_url_without_token() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(DbtRuntimeError) as info:
        connect.check_reachable(f"sc://127.0.0.1:{port}/;token=s3cret")
    assert time.monotonic() - started < 10
    assert f"sc://127.0.0.1:{port}/;token=<redacted>" in str(info.value)
    assert "s3cret" not in str(info.value)


def test_a_listening_server_passes() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        connect.check_reachable(f"sc://127.0.0.1:{server.getsockname()[1]}")
