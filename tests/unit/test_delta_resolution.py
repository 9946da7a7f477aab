"""Resolving Delta's jars: the coordinate, the user's own jars, bounded and explained failures,
and the per-machine cache (real Ivy runs against local servers, no outside network)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark import __version__ as pyspark_version

from dbt.adapters.databricks_session.spark import delta
from dbt.adapters.databricks_session.spark.local import LocalSparkSettings

pytestmark = [pytest.mark.parquet, pytest.mark.delta]
JAVA = shutil.which("java") or "java"


def test_coordinate_matches_pyspark_and_delta_spark() -> None:
    major_minor = ".".join(pyspark_version.split(".")[:2])
    expected = f"io.delta:delta-spark_{major_minor}_2.13:{delta.delta_spark_version()}"
    assert delta.coordinate() == expected


def test_users_own_jars_are_used_as_they_are() -> None:
    conf = {"spark.jars": "/opt/jars/delta-spark_4.2_2.13-4.4.0.jar,/opt/jars/delta-storage.jar"}
    settings = delta.delta_conf(conf, java="/no/java/needed")
    assert settings["spark.jars"] == conf["spark.jars"]  # nothing resolved: the user's list stays
    assert settings["spark.sql.extensions"] == delta.EXTENSION
    assert settings["spark.sql.catalog.spark_catalog"] == delta.CATALOG


def test_users_extensions_are_kept() -> None:
    conf = {
        "spark.jars.packages": "io.delta:delta-spark_4.2_2.13:4.4.0",
        "spark.sql.extensions": "a.B",
    }
    assert delta.delta_conf(conf, JAVA)["spark.sql.extensions"] == f"a.B,{delta.EXTENSION}"


def test_parquet_needs_no_jars() -> None:
    settings = LocalSparkSettings(local_dir="/tmp/x", table_format="parquet")
    conf = settings.startup_conf(JAVA)
    assert conf["spark.sql.sources.default"] == "parquet"
    assert "spark.sql.extensions" not in conf and "spark.jars" not in conf


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections and never answers: a repository that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def _only_repository(tmp_path: Path, url: str) -> str:
    settings = tmp_path / "ivysettings.xml"
    settings.write_text(
        '<ivysettings><settings defaultResolver="only"/><resolvers>'
        f'<ibiblio name="only" m2compatible="true" root="{url}"/>'
        "</resolvers></ivysettings>"
    )
    return str(settings)


def test_unreachable_repository_fails_with_the_reason(tmp_path: Path, closed_port: int) -> None:
    conf = {
        "spark.jars.ivy": str(tmp_path / "ivy"),
        "spark.jars.ivySettings": _only_repository(tmp_path, f"http://127.0.0.1:{closed_port}/"),
    }
    with pytest.raises(delta.DeltaUnavailable, match="could not be resolved") as caught:
        delta.resolve_jars(conf, JAVA)
    assert delta.coordinate() in str(caught.value)


def test_hanging_repository_is_bounded(
    tmp_path: Path, silent_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(delta.TIMEOUT_ENV, "3")
    conf = {
        "spark.jars.ivy": str(tmp_path / "ivy"),
        "spark.jars.ivySettings": _only_repository(tmp_path, f"http://127.0.0.1:{silent_server}/"),
    }
    with pytest.raises(delta.DeltaUnavailable, match="took longer than 3 s"):
        delta.resolve_jars(conf, JAVA)


def test_resolved_classpath_is_cached_per_machine(tmp_path: Path, closed_port: int) -> None:
    """Once the manifest lists existing jars, no repository is asked again (here: none could
    answer), and Spark's own jars (scala-library, spark-*) are never on the list."""
    ivy_dir = tmp_path / "ivy"
    jar = tmp_path / "cache" / "io.delta" / "delta-spark.jar"
    jar.parent.mkdir(parents=True)
    jar.write_bytes(b"")
    manifest = ivy_dir / "dbt-databricks-session" / (delta.coordinate().replace(":", "_") + ".txt")
    manifest.parent.mkdir(parents=True)
    manifest.write_text(str(jar))
    unreachable = _only_repository(tmp_path, f"http://127.0.0.1:{closed_port}/")
    conf = {"spark.jars.ivy": str(ivy_dir), "spark.jars.ivySettings": unreachable}
    assert delta.resolve_jars(conf, JAVA) == [str(jar)]
    # A manifest naming a jar that is gone is not trusted: resolution runs (and fails here).
    os.remove(jar)
    with pytest.raises(delta.DeltaUnavailable):
        delta.resolve_jars(conf, JAVA)


def test_concurrent_starts_resolve_once(tmp_path: Path, closed_port: int) -> None:
    """A second start waits for the one resolving (two Ivy runs filling one cache can corrupt it)
    and then uses its classpath: here its own Ivy run could only fail."""
    import fcntl

    ivy_dir = tmp_path / "ivy"
    manifest = ivy_dir / "dbt-databricks-session" / (delta.coordinate().replace(":", "_") + ".txt")
    manifest.parent.mkdir(parents=True)
    jar = tmp_path / "delta-spark.jar"
    jar.write_bytes(b"")
    unreachable = _only_repository(tmp_path, f"http://127.0.0.1:{closed_port}/")
    conf = {"spark.jars.ivy": str(ivy_dir), "spark.jars.ivySettings": unreachable}
    outcome: list[object] = []

    def second_start() -> None:
        try:
            outcome.append(delta.resolve_jars(conf, JAVA))
        except delta.DeltaUnavailable as exc:
            outcome.append(exc)

    with open(f"{manifest}.lock", "w") as lock:  # the first start, resolving
        fcntl.flock(lock, fcntl.LOCK_EX)
        waiter = threading.Thread(target=second_start)
        waiter.start()
        waiter.join(timeout=1.0)
        manifest.write_text(str(jar))  # the first start's result
    waiter.join(timeout=60)
    assert outcome == [[str(jar)]]


def test_the_machines_resolution_leaves_out_sparks_own_jars(
    spark: object, delta_only: None
) -> None:
    """The test process's Spark resolved Delta through the per-user cache; read its manifest."""
    conf = {"spark.jars.ivy": os.path.expanduser("~/.ivy2.5.2")}
    jars = delta.resolve_jars(conf, JAVA)
    assert any("delta-spark_" in jar for jar in jars)
    assert not any("scala-library" in jar or "/org.apache.spark/" in jar for jar in jars)


def test_users_jars_and_extensions_are_kept_beside_deltas(tmp_path: Path) -> None:
    """A user's own jar (a JDBC driver) and extension stay; Delta's are added, not swapped in."""
    jar = tmp_path / "delta-spark.jar"
    jar.write_bytes(b"")
    ivy_dir = tmp_path / "ivy"
    manifest = ivy_dir / "dbt-databricks-session" / (delta.coordinate().replace(":", "_") + ".txt")
    manifest.parent.mkdir(parents=True)
    manifest.write_text(str(jar))
    user = {
        "spark.jars.ivy": str(ivy_dir),
        "spark.jars": "/opt/jdbc/driver.jar",
        "spark.sql.extensions": "a.B",
        "spark.databricks.delta.snapshotPartitions": "8",
    }
    conf = LocalSparkSettings(local_dir=str(tmp_path / "spark"), conf=user).startup_conf(JAVA)
    assert conf["spark.jars"] == f"/opt/jdbc/driver.jar,{jar}"
    assert conf["spark.sql.extensions"] == f"a.B,{delta.EXTENSION}"
    assert conf["spark.databricks.delta.snapshotPartitions"] == "8"
    assert conf["spark.sql.sources.default"] == "delta"
