"""Delta Lake for the embedded local Spark: the jars, resolved once per machine, and the conf.

The jars are the ones delta-spark's `configure_spark_with_delta_pip` names
(`io.delta:delta-spark_<spark major.minor>_2.13:<delta-spark version>`), resolved by the Ivy that
ships inside pyspark, from Maven Central, into Ivy's own user-level cache (`~/.ivy2.5.2`, or
`spark.jars.ivy`). Resolution runs in a subprocess with a time limit, so a machine without
network fails in seconds instead of stalling a Spark start; the classpath it finds is written
next to the cache, so later starts on the machine read it and contact no repository at all.

`spark_conf` can point elsewhere: `spark.jars.repositories` (an internal Maven mirror, searched
before Maven Central), `spark.jars.ivySettings` (an Ivy settings file used as it is, for
air-gapped machines), or `spark.jars` / `spark.jars.packages` naming Delta's jars (used as they
are, nothing resolved). Jars already in `~/.m2/repository` (e.g. fetched with
`mvn dependency:get`) are found without a network.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from importlib import metadata
from typing import Any
from xml.sax.saxutils import quoteattr

from dbt.adapters.databricks.logging import logger

EXTENSION = "io.delta.sql.DeltaSparkSessionExtension"
CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog"
SCALA_VERSION = "2.13"
MAVEN_CENTRAL = "https://repo1.maven.org/maven2/"
TIMEOUT_ENV = "DBT_DATABRICKS_SESSION_DELTA_TIMEOUT"
DEFAULT_TIMEOUT_S = 120.0
# Spark ships these itself; spark-submit's own resolver leaves them out of `--packages` too.
_PROVIDED = re.compile(r"/(org\.scala-lang/scala-library|org\.apache\.spark)/")
# Small-data settings: Delta rebuilds a table's snapshot with 50 tasks by default, which
# dominates every statement on a 2-core machine (docs/performance.md has the measurement); and
# it caches a log per table touched (10,000 by default), which fills a local driver's heap.
LOCAL_DELTA_CONF = {
    "spark.databricks.delta.snapshotPartitions": "2",
    "spark.databricks.delta.delta.log.cacheSize": "1000",
}


class DeltaUnavailable(Exception):
    """Delta's jars cannot be had; the message says why and what to do."""


def delta_spark_version() -> str:
    try:
        return metadata.version("delta-spark")
    except metadata.PackageNotFoundError:
        raise DeltaUnavailable(
            "the Python package delta-spark is not installed (pip install "
            "'dbt-databricks-session[local]')"
        ) from None


def coordinate() -> str:
    """The Maven coordinate of the Delta jar matching the installed pyspark and delta-spark."""
    import pyspark

    spark_major_minor = ".".join(pyspark.__version__.split(".")[:2])
    return f"io.delta:delta-spark_{spark_major_minor}_{SCALA_VERSION}:{delta_spark_version()}"


def user_supplies_jars(conf: dict[str, str]) -> bool:
    """The user's `spark_conf` already names Delta's jars: use them as they are."""
    named = conf.get("spark.jars", "") + "," + conf.get("spark.jars.packages", "")
    return "delta" in named.lower()


def delta_conf(conf: dict[str, str], java: str) -> dict[str, str]:
    """The Spark settings that give a local session Delta Lake (raises DeltaUnavailable)."""
    settings = {
        **LOCAL_DELTA_CONF,
        "spark.sql.catalog.spark_catalog": CATALOG,
        **conf,  # the user's own values win, except the two lists Delta is added to:
        "spark.sql.extensions": _with_extension(conf.get("spark.sql.extensions", "")),
    }
    if not user_supplies_jars(conf):
        jars = resolve_jars(conf, java)
        settings["spark.jars"] = ",".join(filter(None, [conf.get("spark.jars", ""), *jars]))
    return settings


def _with_extension(extensions: str) -> str:
    names = [name.strip() for name in extensions.split(",") if name.strip()]
    return ",".join(names if EXTENSION in names else [*names, EXTENSION])


def resolve_jars(conf: dict[str, str], java: str) -> list[str]:
    """Delta's jars with their dependencies, from the machine's cache or resolved now."""
    wanted = coordinate()
    ivy_dir = os.path.expanduser(conf.get("spark.jars.ivy") or "~/.ivy2.5.2")
    manifest = os.path.join(ivy_dir, "dbt-databricks-session", wanted.replace(":", "_") + ".txt")
    cached = _read_manifest(manifest)
    if cached:
        return cached
    with _resolution_lock(manifest):
        # Another process (a parallel dbt command or test worker) may have resolved meanwhile.
        cached = _read_manifest(manifest)
        return cached or _resolve_and_record(wanted, conf, java, ivy_dir, manifest)


@contextlib.contextmanager
def _resolution_lock(manifest: str) -> Iterator[None]:
    """One resolution per machine at a time: two Ivy processes filling one cache can corrupt it."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; resolutions there are not serialised
        yield
        return
    try:
        os.makedirs(os.path.dirname(manifest), exist_ok=True)
        handle = open(f"{manifest}.lock", "w")  # noqa: SIM115 (held for the with-block)
    except OSError:  # a read-only home: resolve unlocked, as without a cache
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _resolve_and_record(
    wanted: str, conf: dict[str, str], java: str, ivy_dir: str, manifest: str
) -> list[str]:
    jars = _run_ivy(wanted, conf, java, ivy_dir)
    try:
        partial = f"{manifest}.{os.getpid()}"
        with open(partial, "w") as handle:
            handle.write("\n".join(jars))
        os.replace(partial, manifest)  # atomic: a concurrent start reads all of it or nothing
    except OSError as exc:  # a read-only home: resolve again next time
        logger.debug(f"Session mode: could not cache Delta's classpath in {manifest}: {exc}")
    return jars


def _read_manifest(path: str) -> list[str]:
    try:
        with open(path) as handle:
            jars = [line for line in handle.read().splitlines() if line]
    except OSError:
        return []
    return jars if jars and all(os.path.isfile(jar) for jar in jars) else []


def _run_ivy(wanted: str, conf: dict[str, str], java: str, ivy_dir: str) -> list[str]:
    group, artifact, version = wanted.split(":")
    timeout = resolve_timeout()
    logger.info(
        f"Session mode: resolving Delta Lake's jars ({wanted}) into {ivy_dir}, once per machine "
        f"(at most {timeout:g} s)"
    )
    with tempfile.TemporaryDirectory(prefix="dbt-delta-") as work:
        classpath = os.path.join(work, "classpath.txt")
        command = [java, "-jar", _ivy_jar(), "-settings", _settings_file(conf, work)]
        command += ["-cache", os.path.join(ivy_dir, "cache"), "-confs", "default"]
        command += ["-dependency", group, artifact, version, "-cachepath", classpath]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise DeltaUnavailable(
                f"resolving {wanted} from Maven took longer than {timeout:g} s"
            ) from None
        if result.returncode != 0 or not os.path.isfile(classpath):
            raise DeltaUnavailable(f"{wanted} could not be resolved: {_ivy_reason(result.stdout)}")
        with open(classpath) as handle:
            entries = handle.read().strip().split(os.pathsep)
    return [jar for jar in entries if jar and not _PROVIDED.search(jar.replace(os.sep, "/"))]


def resolve_timeout() -> float:
    try:
        return float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT_S))
    except ValueError:
        return DEFAULT_TIMEOUT_S


def _ivy_jar() -> str:
    import pyspark

    found = sorted(glob.glob(os.path.join(os.path.dirname(pyspark.__file__), "jars", "ivy-*.jar")))
    if not found:
        raise DeltaUnavailable("this pyspark installation has no Ivy jar to resolve Delta with")
    return found[-1]


def _settings_file(conf: dict[str, str], work: str) -> str:
    """The user's Ivy settings, or: ~/.m2/repository, `spark.jars.repositories`, Maven Central."""
    if conf.get("spark.jars.ivySettings"):
        return os.path.expanduser(conf["spark.jars.ivySettings"])
    repositories = [url.strip() for url in conf.get("spark.jars.repositories", "").split(",")]
    remote = [url for url in repositories if url] + [MAVEN_CENTRAL]
    resolvers = [
        '<filesystem name="local-m2" m2compatible="true">'
        '<ivy pattern="${user.home}/.m2/repository/[organisation]/[module]/[revision]/'
        '[module]-[revision].pom"/>'
        '<artifact pattern="${user.home}/.m2/repository/[organisation]/[module]/[revision]/'
        '[module]-[revision](-[classifier]).[ext]"/></filesystem>',
        *(
            f'<ibiblio name="repo-{i}" m2compatible="true" root={quoteattr(url)}/>'
            for i, url in enumerate(remote)
        ),
    ]
    path = os.path.join(work, "ivysettings.xml")
    with open(path, "w") as handle:
        handle.write(
            '<ivysettings><settings defaultResolver="chain"/><resolvers>'
            f'<chain name="chain" returnFirst="true">{"".join(resolvers)}</chain>'
            "</resolvers></ivysettings>"
        )
    return path


def _ivy_reason(output: str) -> str:
    """The first line of Ivy's report that says why, e.g. an unknown host or a missing module."""
    for pattern in (r"Host \S+ not found", r"Connection refused[^\n]*", r"module not found: \S+"):
        match = re.search(pattern, output)
        if match:
            return match.group(0)
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "Ivy gave no reason"


_JAR_VERSION = re.compile(r"delta-spark(?:_[\d.]+)?_2\.1[23][-:](\d+\.\d+\.\d+\w*)")


def delta_version(spark: Any) -> str | None:
    """The Delta Lake version a local session loaded (from its jars), or None without Delta."""
    extensions = spark.conf.get("spark.sql.extensions", None) or ""
    if EXTENSION not in extensions:
        return None
    jars = (spark.conf.get("spark.jars", None) or "") + (
        spark.conf.get("spark.jars.packages", None) or ""
    )
    match = _JAR_VERSION.search(jars)
    return match.group(1) if match else "(version unknown)"
