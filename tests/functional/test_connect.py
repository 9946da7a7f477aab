"""Spark Connect sessions: tags, cancel, isolation, the shared-session fallback, and clear errors.

Everything runs over the test process's one local Connect server, served from the `spark`
fixture's JVM (`spark_remote: local[2]`), so Spark's own status store shows what each Connect
operation ran and which tags it carried.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from dbt.tests.util import run_dbt, run_dbt_and_capture
from dbt_common.exceptions import DbtDatabaseError, DbtRuntimeError
from pyspark.errors import PySparkNotImplementedError
from pyspark.sql.connect.session import SparkSession as ConnectSparkSession

from dbt.adapters.databricks_session.spark import connect, source
from dbt.adapters.databricks_session.spark.handle import SessionHandle, open_handle
from dbt.adapters.databricks_session.spark.local import LocalSparkSettings
from dbt.adapters.databricks_session.spark.source import BaseSession, base_session
from tests.support import ENDLESS, run_in_thread, wait_for

REMOTE = "local[2]"  # as tests/conftest.py's CONNECT_REMOTE
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "jaffle_shop"


@pytest.fixture(scope="module")
def connect_base(spark: Any, spark_local_dir: str) -> BaseSession:
    settings = LocalSparkSettings(master="local[2]", local_dir=spark_local_dir)
    base = base_session(settings, REMOTE)
    assert base.is_connect and base.remote is not None
    return base


@pytest.fixture(scope="module")
def schema(spark: Any) -> Iterator[str]:
    name = f"connect_{uuid.uuid4().hex[:10]}"
    spark.sql(f"CREATE SCHEMA {name}")
    yield name
    spark.sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")


@pytest.fixture
def new_handle(connect_base: BaseSession, schema: str) -> Iterator[Callable[[str], SessionHandle]]:
    handles: list[SessionHandle] = []

    def make(label: str) -> SessionHandle:
        handle = open_handle(connect_base, "spark_catalog", schema, {}, label=lambda: label)
        handles.append(handle)
        return handle

    yield make
    for handle in handles:
        handle.close()


def job_tags(spark: Any, job_id: int) -> list[str]:
    tags = spark.sparkContext._jsc.sc().statusStore().job(job_id).jobTags()
    return [str(tags.apply(i)) for i in range(tags.size())]


def active_tags(spark: Any) -> list[str]:
    found: list[str] = []
    for job_id in spark.sparkContext.statusTracker().getActiveJobsIds():
        try:
            found.extend(job_tags(spark, job_id))
        except Exception:  # the job finished between the two calls
            continue
    return found


def has_tag(tags: list[str], tag: str) -> bool:
    """Connect records a user tag as `SparkConnect_SessionTag_..._Tag_<tag>` on the job."""
    return any(t.endswith(f"_Tag_{tag}") for t in tags)


# -- connections ---------------------------------------------------------------------------------


def test_each_connection_gets_its_own_connect_session(
    new_handle: Callable[[str], SessionHandle], schema: str
) -> None:
    one, two = new_handle("model.p.one"), new_handle("model.p.two")
    assert one.is_connect and not one.shared
    assert one.spark.session_id != two.spark.session_id
    one.execute("use default")
    one.execute("set spark.sql.session.timeZone = +03:00")
    one.execute("create temporary view connect_probe as select 'one' as v")
    assert one.execute("select current_schema(), current_timezone()").fetchall() == [
        ("default", "+03:00")
    ]
    assert two.execute("select current_schema()").fetchall() == [(schema,)]
    with pytest.raises(DbtDatabaseError, match="TABLE_OR_VIEW_NOT_FOUND"):
        two.execute("select * from connect_probe")


def server_session_ids(spark: Any) -> set[str]:
    """The sessions the local Connect server (in the `spark` fixture's JVM) holds open."""
    service = getattr(spark._jvm.org.apache.spark.sql.connect.service, "SparkConnectService$")
    sessions = getattr(service, "MODULE$").sessionManager().listActiveSessions()
    return {str(sessions.apply(i).sessionId()) for i in range(sessions.size())}


def test_closing_a_connection_releases_its_server_session(
    new_handle: Callable[[str], SessionHandle], spark: Any
) -> None:
    handle = new_handle("model.p.closing")
    handle.execute("select 1")
    assert handle.spark.session_id in server_session_ids(spark)
    handle.close()
    assert handle.spark.session_id not in server_session_ids(spark)
    with pytest.raises(DbtRuntimeError, match="closed connection"):
        handle.execute("select 1")


def test_statements_carry_tags_naming_the_node(
    new_handle: Callable[[str], SessionHandle], spark: Any, schema: str
) -> None:
    handle = new_handle("model.p.tagged")
    table = f"{schema}.tagged_{uuid.uuid4().hex[:8]}"
    handle.execute(f"create table {table} (id bigint) using parquet")
    query_id = handle.execute(f"insert into {table} select id from range(10)").get_response()
    group = f"dbt-{handle.session_id[:8]}-{query_id.query_id}"
    jobs = [job_id for job_id in all_job_ids(spark) if has_tag(job_tags(spark, job_id), group)]
    assert jobs, "the statement ran no Spark job carrying its tag"
    for job_id in jobs:
        assert has_tag(job_tags(spark, job_id), "dbt-node:model.p.tagged")
    assert handle.spark.getTags() == set(), "tags must not outlive the statement"


def test_connect_responses_report_only_what_connect_returns(
    new_handle: Callable[[str], SessionHandle], schema: str
) -> None:
    """Connect returns no write metrics for commands and no job ids: those keys stay out."""
    handle = new_handle("model.p.metrics")
    table = f"{schema}.metrics_{uuid.uuid4().hex[:8]}"
    handle.execute(f"create table {table} (id bigint) using parquet")
    response = handle.execute(f"insert into {table} select id from range(10)").get_response()
    reported = response.to_dict(omit_none=True)
    assert reported["execution_time_ms"] >= 0 and reported["query_id"] == response.query_id
    assert not {"spark_job_ids", "rows_written", "bytes_written", "files_written"} & set(reported)
    row = handle.execute(f"select count(*) as n from {table}").fetchone()
    assert row is not None and row.n == 10 and row.asDict() == {"n": 10}


def test_results_equal_pysparks_own_schema_and_collect(
    new_handle: Callable[[str], SessionHandle], schema: str, table_format: str
) -> None:
    """Commands are read from the `spark.sql` response and queries from one ExecutePlan: the
    same columns, types and rows as `frame.schema` and `frame.collect()` give."""
    handle = new_handle("model.p.results")
    table = f"{schema}.results_{uuid.uuid4().hex[:8]}"
    handle.execute(f"create table {table} (id bigint, name string) using {table_format}")
    handle.execute(f"insert into {table} values (1, 'a'), (2, null)")
    statements = [
        f"select * from {table} order by id",
        f"select * from {table} where false",
        "select 1 as a, cast(null as string) as b, x'0102' as bin, array(1, 2) as arr, "
        "map('k', named_struct('x', 1.5d)) as m, timestamp'2024-01-02 03:04:05' as ts, "
        "date'2024-01-02' as d, 12.30bd as dec",
        f"show tables in {schema}",
        "show views",
        f"describe table {table}",
        f"describe table extended {table}",
        "set spark.sql.shuffle.partitions",
        f"show tblproperties {table}",
        f"create or replace temporary view results_view as select * from {table}",
    ]
    if table_format == "delta":
        statements.append(f"describe history {table}")
    for sql in statements:
        cursor = handle.execute(sql)
        frame = handle.spark.sql(sql)
        expected = [(f.name, f.dataType.simpleString()) for f in frame.schema.fields]
        assert [d[:2] for d in cursor.description] == expected, sql
        rows = [tuple(row) for row in cursor.fetchall()]
        assert rows == ([tuple(row) for row in frame.collect()] if expected else []), sql


def test_open_sends_no_catalog_rpc_when_it_is_current(
    new_handle: Callable[[str], SessionHandle], monkeypatch: pytest.MonkeyPatch, schema: str
) -> None:
    from pyspark.sql.connect.proto import base_pb2_grpc

    new_handle("model.p.first")  # learns where this base's sessions start
    sent: list[str] = []
    original = base_pb2_grpc.SparkConnectServiceStub.__init__

    def observed(stub: Any, channel: Any) -> None:
        original(stub, channel)
        execute = stub.ExecutePlan

        def execute_plan(request: Any, *args: Any, **kwargs: Any) -> Any:
            root = request.plan.root
            if root.WhichOneof("rel_type") == "catalog":
                sent.append(root.catalog.WhichOneof("cat_type"))
            return execute(request, *args, **kwargs)

        stub.ExecutePlan = execute_plan

    monkeypatch.setattr(base_pb2_grpc.SparkConnectServiceStub, "__init__", observed)
    handle = new_handle("model.p.second")
    assert sent == ["set_current_database"]  # the schema is set, the current catalog is not
    assert handle.execute("select current_catalog(), current_schema()").fetchall() == [
        ("spark_catalog", schema)
    ]


def all_job_ids(spark: Any) -> list[int]:
    jobs = spark.sparkContext._jsc.sc().statusStore().jobsList(None)
    return [int(jobs.apply(i).jobId()) for i in range(jobs.size())]


def test_cancel_interrupts_the_running_statement_only(
    new_handle: Callable[[str], SessionHandle], spark: Any
) -> None:
    victim, bystander = new_handle("model.p.victim"), new_handle("model.p.bystander")
    observer = new_handle("model.p.observer")
    prefixes = {name: f"dbt-{h.session_id[:8]}-" for name, h in (("v", victim), ("b", bystander))}
    outcome: dict[str, Any] = {}
    threads = {
        name: run_in_thread(name, lambda h=h: h.execute(ENDLESS).fetchall(), outcome)
        for name, h in (("victim", victim), ("bystander", bystander))
    }

    def running(prefix: str) -> bool:
        return any(f"_Tag_{prefix}" in tag for tag in active_tags(spark))

    try:
        wait_for(lambda: running(prefixes["v"]) and running(prefixes["b"]), "both statements")
        victim.cancel()
        threads["victim"].join(timeout=120)
        assert not threads["victim"].is_alive(), "cancel() did not stop the statement"
        error = outcome["victim"]
        assert isinstance(error, DbtDatabaseError) and "cancel" in str(error).lower(), error
        assert "JVM stacktrace" not in str(error)
        assert not victim.open

        # The victim's core is free again, so a third connection's statement completes while
        # the bystander's statement is still running.
        assert observer.execute("select sum(id) from range(100)").fetchall() == [(4950,)]
        assert "bystander" not in outcome and running(prefixes["b"])
    finally:
        bystander.cancel()
        threads["bystander"].join(timeout=120)
    assert isinstance(outcome["bystander"], DbtDatabaseError)


def test_no_code_path_needs_a_spark_context(
    new_handle: Callable[[str], SessionHandle], table_format: str
) -> None:
    handle = new_handle("model.p.context")
    with pytest.raises(Exception, match="JVM_ATTRIBUTE_NOT_SUPPORTED"):
        handle.spark.sparkContext  # noqa: B018 - Connect has none: the handle never asks
    # The server's Spark has Delta exactly when the test process's local Spark does.
    assert handle.runtime_version is None and handle.has_delta is (table_format == "delta")
    cursor = handle.list_schemas("spark_catalog")
    assert ("default", "spark_catalog") in cursor.fetchall()


# -- the shared-session fallback ------------------------------------------------------------------


class LegacyConnectSession(ConnectSparkSession):
    """A Connect client from before pyspark 4.1: it cannot open another server-side session."""

    def newSession(self) -> Any:
        raise PySparkNotImplementedError(
            errorClass="NOT_IMPLEMENTED", messageParameters={"feature": "newSession()"}
        )

    def cloneSession(self, new_session_id: str | None = None) -> Any:
        raise PySparkNotImplementedError(
            errorClass="NOT_IMPLEMENTED", messageParameters={"feature": "cloneSession()"}
        )


@pytest.fixture
def legacy_session(connect_base: BaseSession, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A caller's Connect session that cannot be split, as the process's existing session."""
    assert connect_base.remote is not None
    session = connect.connect(connect_base.remote)
    session.__class__ = LegacyConnectSession
    monkeypatch.setattr(source, "_bases", {})  # forget the sessions found so far
    monkeypatch.setattr(ConnectSparkSession, "_default_session", session)
    yield session
    connect.release(session)


class TestSharedSessionFallback:
    @pytest.fixture(scope="class")
    def dbt_profile_target(self, dbt_profile_target: dict[str, Any]) -> dict[str, Any]:
        return {**dbt_profile_target, "threads": 1}

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        hook = "set spark.sql.shuffle.partitions = 3"
        return {
            "first.sql": f"{{{{ config(materialized='table', pre_hook='{hook}') }}}}\n"
            "select 1 as id",
            "second.sql": "{{ config(materialized='table') }}\nselect id + 1 as id from "
            "{{ ref('first') }}",
            "kind.py": "def model(dbt, spark):\n"
            "    return spark.createDataFrame([(type(spark).__name__,)], ['kind'])\n",
            "leaves_view.py": "def model(dbt, spark):\n"
            "    spark.range(1).createOrReplaceTempView('left_by_model')\n"
            "    return spark.table('left_by_model')\n",
        }

    def test_one_thread_shares_the_session_and_warns_about_state_changes(
        self, project: Any, legacy_session: Any, spark: Any
    ) -> None:
        _, log = run_dbt_and_capture(["run"])
        assert "ran on a shared Spark Connect session" in log
        assert "`SET`" in log
        kind = spark.sql(f"select kind from {project.test_schema}.kind").collect()
        assert [row.kind for row in kind] == ["LegacyConnectSession"]
        assert spark.sql(f"select id from {project.test_schema}.second").collect()[0].id == 2
        # The shared session outlives the model: the temp view the model made is dropped.
        views = {row.viewName for row in legacy_session.sql("show views").collect()}
        assert "left_by_model" not in views

    def test_several_threads_are_refused_with_the_fix(
        self, project: Any, legacy_session: Any
    ) -> None:
        with pytest.raises(DbtRuntimeError) as info:
            run_dbt(["run", "--threads", "4"], expect_pass=False)
        assert "cannot open a separate session per dbt thread" in str(info.value)
        assert "`--threads 1`" in str(info.value)


# -- choosing a Connect session -------------------------------------------------------------------


def bare_project(root: Path, output: dict[str, Any], models: dict[str, str]) -> list[str]:
    """A minimal project and profile in `root`; the dbt CLI arguments that locate them."""
    (root / "models").mkdir(parents=True)
    for name, code in models.items():
        (root / "models" / name).write_text(code)
    (root / "dbt_project.yml").write_text(
        "name: bare\nversion: '1.0'\nconfig-version: 2\nprofile: bare\n"
    )
    profile = {"bare": {"target": "t", "outputs": {"t": output}}}
    (root / "profiles.yml").write_text(yaml.safe_dump(profile))
    return ["--project-dir", str(root), "--profiles-dir", str(root)]


def run_dbt_cli(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    """The dbt CLI in a new process (no session of this test process in it)."""
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(dbt), *args], capture_output=True, text=True, timeout=600, check=False, env=env
    )
    return result.returncode, result.stdout + result.stderr


def test_spark_remote_env_selects_spark_connect_in_a_new_process(tmp_path: Path) -> None:
    kind_file = tmp_path / "kind.txt"
    model = (
        "def model(dbt, spark):\n"
        f"    open({str(kind_file)!r}, 'w').write(type(spark).__module__)\n"
        "    return spark.range(1)\n"
    )
    output = {
        "type": "databricks_session",
        "method": "session",
        "schema": "from_env",
        "spark_local_dir": str(tmp_path / "spark"),
    }
    location = bare_project(tmp_path / "project", output, {"kind.py": model})
    code, log = run_dbt_cli(["run", *location], env={**os.environ, "SPARK_REMOTE": "local[1]"})
    assert code == 0, log
    assert "using the local Spark Connect server" in log
    assert kind_file.read_text().startswith("pyspark.sql.connect")


def test_unreachable_server_is_one_clear_error_without_the_token(tmp_path: Path) -> None:
    """The dbt CLI on a bare project (the dbt-tests `project` fixture would need the server)."""
    output = {
        "type": "databricks_session",
        "method": "session",
        "schema": "unreachable",
        "spark_remote": "sc://127.0.0.1:9/;token=secret-value",
    }
    location = bare_project(tmp_path, output, {"one.sql": "select 1 as id\n"})
    started = time.monotonic()
    code, log = run_dbt_cli(["run", *location])
    assert code != 0
    assert "Could not reach the Spark Connect server at sc://127.0.0.1:9" in log, log
    assert "secret-value" not in log
    assert "Traceback" not in log
    assert time.monotonic() - started < 120  # not pyspark's minutes of retries


# -- the example project --------------------------------------------------------------------------


# The whole example: its merge incremental and snapshot need Delta, so it runs in the Delta leg.
@pytest.mark.delta
@pytest.mark.usefixtures("delta_only")
def test_example_project_builds_over_spark_connect(
    tmp_path: Path, spark: Any, spark_local_dir: str
) -> None:
    root = tmp_path / "jaffle_shop"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    profiles = yaml.safe_load((root / "profiles.yml").read_text())
    output = profiles["jaffle_shop"]["outputs"]["connect"]
    schema = f"example_{uuid.uuid4().hex[:8]}"
    output.update(schema=schema, spark_local_dir=spark_local_dir)
    (root / "profiles.yml").write_text(yaml.safe_dump(profiles))
    try:
        results = run_dbt(
            [
                "build",
                "--project-dir",
                str(root),
                "--profiles-dir",
                str(root),
                "--target",
                "connect",
            ]
        )
        assert results is not None and all(r.status in ("success", "pass") for r in results)
        segments = spark.sql(f"select count(*) from {schema}.customer_segments").collect()[0][0]
        assert segments > 0
    finally:
        spark.sql(f"drop schema if exists {schema} cascade")
