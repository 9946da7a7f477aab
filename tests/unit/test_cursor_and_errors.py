"""SessionHandle and SessionCursor on the shared local Spark: results, listing, errors, cancel,
and the Spark job group every statement runs under."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dbt_common.exceptions import DbtDatabaseError, DbtRuntimeError

from dbt.adapters.databricks_session.spark.errors import (
    as_database_error,
    is_spark_error,
    spark_error_message,
)
from dbt.adapters.databricks_session.spark.handle import SessionHandle, open_handle
from dbt.adapters.databricks_session.spark.local import (
    LocalSparkSettings,
    _java_executable,
    java_major_version,
    parse_java_major,
)
from dbt.adapters.databricks_session.spark.source import BaseSession, base_session
from tests.support import ENDLESS, Py4jCommands, run_in_thread, wait_for

JVM_TRACE = "\n\tat "


class Label:
    """The dbt node a handle works for, as the connection manager's `label` callable sees it."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __call__(self) -> str:
        return self.value


@pytest.fixture(scope="module")
def base(spark: Any, spark_local_dir: str) -> BaseSession:
    # The same settings as the conftest session, so this finds that session.
    found = base_session(LocalSparkSettings(master="local[2]", local_dir=spark_local_dir))
    assert found.spark is spark or found.spark._sc is spark._sc
    return found


@pytest.fixture(scope="module")
def schema(base: BaseSession) -> Iterator[str]:
    name = f"cursor_{uuid.uuid4().hex[:10]}"
    base.spark.sql(f"CREATE SCHEMA {name}")
    yield name
    base.spark.sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")


@pytest.fixture
def new_handle(base: BaseSession, schema: str) -> Iterator[Callable[..., SessionHandle]]:
    handles: list[SessionHandle] = []

    def make(label: str = "model.proj.test_node") -> SessionHandle:
        handle = open_handle(base, "spark_catalog", schema, {}, label=Label(label))
        handles.append(handle)
        return handle

    yield make
    for handle in handles:
        handle.close()


@pytest.fixture
def handle(new_handle: Callable[..., SessionHandle]) -> SessionHandle:
    return new_handle()


def group_of(handle: SessionHandle, statement_id: str) -> str:
    return f"dbt-{handle.session_id[:8]}-{statement_id}"


def job_description(spark: Any, job_id: int) -> str:
    """The description Spark recorded for a job (what the Spark UI shows as its name)."""
    job = spark.sparkContext._jsc.sc().statusStore().job(job_id)
    return str(job.description().get())


def job_group(spark: Any, job_id: int) -> str:
    job = spark.sparkContext._jsc.sc().statusStore().job(job_id)
    return str(job.jobGroup().get())


def active_groups(spark: Any) -> list[str]:
    tracker = spark.sparkContext.statusTracker()
    groups = []
    for job_id in tracker.getActiveJobsIds():
        try:
            groups.append(job_group(spark, job_id))
        except Exception:  # the job finished between the two calls
            continue
    return groups


def assert_clean_error(error: BaseException, *fragments: str) -> None:
    assert isinstance(error, DbtDatabaseError)
    message = str(error)
    for fragment in fragments:
        assert fragment in message, message
    assert JVM_TRACE not in message
    assert "JVM stacktrace" not in message


# -- results -----------------------------------------------------------------------------------


def test_execute_returns_rows_and_description(handle: SessionHandle) -> None:
    cursor = handle.execute(
        "select 1 as a, 'x' as b, cast(null as decimal(10,2)) as c, array(1, 2) as d"
    )
    assert [column[:2] for column in cursor.description] == [
        ("a", "int"),
        ("b", "string"),
        ("c", "decimal(10,2)"),
        ("d", "array<int>"),
    ]
    assert all(len(column) == 7 for column in cursor.description)
    assert cursor.fetchall() == [(1, "x", None, [1, 2])]


def test_execute_with_bindings(handle: SessionHandle) -> None:
    cursor = handle.execute("select %s as a, %s as b, '100%' as c", ["it's ${x}", 2**63 - 1])
    assert cursor.fetchall() == [("it's ${x}", 2**63 - 1, "100%")]


def test_fetchone_fetchmany_fetchall(handle: SessionHandle) -> None:
    cursor = handle.execute("select id from range(10) order by id")
    assert cursor.fetchone() == (0,)
    assert cursor.fetchmany(3) == [(1,), (2,), (3,)]
    assert cursor.fetchall() == [(i,) for i in range(4, 10)]
    assert cursor.fetchone() is None
    assert cursor.fetchmany(5) == []
    assert cursor.fetchall() == []


def test_empty_result_keeps_its_description(handle: SessionHandle) -> None:
    cursor = handle.execute("select id, 'a' as s from range(0)")
    assert [c[0] for c in cursor.description] == ["id", "s"]
    assert cursor.fetchone() is None


def test_closed_cursor_cannot_fetch(handle: SessionHandle) -> None:
    cursor = handle.execute("select 1")
    cursor.close()
    with pytest.raises(DbtRuntimeError, match="closed cursor"):
        cursor.fetchall()


def test_statements_run_even_when_never_fetched(
    new_handle: Callable[..., SessionHandle], schema: str
) -> None:
    writer, reader = new_handle(), new_handle()
    table = f"{schema}.unfetched_{uuid.uuid4().hex[:8]}"
    writer.execute(f"create table {table} (id bigint, s string) using parquet")
    writer.execute(f"insert into {table} values (1, 'a'), (2, 'b')")
    writer.execute(f"insert into {table} select id, 'c' from range(10, 13)")
    rows = reader.execute(f"select id, s from {table} order by id").fetchall()
    assert rows == [(1, "a"), (2, "b"), (10, "c"), (11, "c"), (12, "c")]
    writer.execute(f"drop table {table}")
    assert not reader.spark.catalog.tableExists(table)


def test_each_statement_has_its_own_query_id(handle: SessionHandle) -> None:
    responses = [handle.execute(f"select {i}").get_response() for i in range(20)]
    ids = [r.query_id for r in responses]
    assert all(isinstance(i, str) and i for i in ids)
    assert len(set(ids)) == len(ids)
    assert all(r.rows_affected is None and r._message == "OK" for r in responses)


# -- listing -----------------------------------------------------------------------------------


def test_list_tables_has_dbsql_shape(new_handle: Callable[..., SessionHandle], schema: str) -> None:
    handle, other = new_handle(), new_handle()
    suffix = uuid.uuid4().hex[:8]
    table, view = f"lt_table_{suffix}", f"lt_view_{suffix}"
    handle.execute(f"create table {schema}.{table} (id int) using parquet")
    handle.execute(f"create view {schema}.{view} as select id from {schema}.{table}")
    handle.execute(f"create temporary view lt_temp_{suffix} as select 1 as id")
    other.execute(f"create temporary view lt_other_temp_{suffix} as select 1 as id")

    cursor = handle.list_tables("spark_catalog", schema)
    names = [c[0] for c in cursor.description]
    assert names == ["TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS"]
    rows = {row[2]: row for row in cursor.fetchall() if row[2].endswith(suffix)}
    assert rows == {
        table: ("spark_catalog", schema, table, "TABLE", ""),
        view: ("spark_catalog", schema, view, "VIEW", ""),
    }


def test_list_tables_of_missing_schema_is_a_database_error(handle: SessionHandle) -> None:
    with pytest.raises(DbtDatabaseError) as info:
        handle.list_tables("spark_catalog", f"missing_{uuid.uuid4().hex[:8]}")
    assert_clean_error(info.value, "SCHEMA_NOT_FOUND")


def test_list_schemas(handle: SessionHandle, schema: str) -> None:
    cursor = handle.list_schemas("spark_catalog")
    assert [c[0] for c in cursor.description] == ["TABLE_SCHEM", "TABLE_CATALOG"]
    rows = cursor.fetchall()
    assert (schema, "spark_catalog") in rows
    assert ("default", "spark_catalog") in rows
    assert handle.list_schemas("spark_catalog", schema).fetchall() == [(schema, "spark_catalog")]
    assert handle.list_schemas("spark_catalog", "no_such_schema_x").fetchall() == []
    # The name is quoted as a literal, not pasted into the SQL.
    assert handle.list_schemas("spark_catalog", "it's ${env:HOME}").fetchall() == []


# -- errors ------------------------------------------------------------------------------------


def test_parse_error(handle: SessionHandle) -> None:
    with pytest.raises(DbtDatabaseError) as info:
        handle.execute("selec 1 frm nowhere")
    assert_clean_error(info.value, "PARSE_SYNTAX_ERROR")


def test_missing_table(handle: SessionHandle, schema: str) -> None:
    with pytest.raises(DbtDatabaseError) as info:
        handle.execute(f"select * from {schema}.no_such_table")
    assert_clean_error(info.value, "TABLE_OR_VIEW_NOT_FOUND", "no_such_table")


def test_error_raised_while_the_job_runs(handle: SessionHandle) -> None:
    with pytest.raises(DbtDatabaseError) as info:
        handle.execute("select if(id = 3, raise_error('custom boom 3'), id) from range(5)")
    assert_clean_error(info.value, "custom boom 3")


def test_ansi_runtime_error(handle: SessionHandle) -> None:
    with pytest.raises(DbtDatabaseError) as info:
        handle.execute("select cast('not a number' as int)")
    assert_clean_error(info.value, "CAST_INVALID_INPUT")


def test_py4j_java_error_from_a_job_keeps_its_cause(handle: SessionHandle) -> None:
    # A task that fails inside the JVM reaches Python as a raw Py4JJavaError: the message, the
    # executor's stack trace, "Caused by: <the real error>", then the driver's stack trace.
    from py4j.protocol import Py4JJavaError

    with pytest.raises(DbtDatabaseError) as info:
        handle.execute(
            "select java_method('java.lang.Integer', 'parseInt', 'x' || id) from range(1)"
        )
    assert isinstance(info.value.__cause__, Py4JJavaError)
    assert JVM_TRACE in str(info.value.__cause__)
    assert_clean_error(
        info.value,
        "Job aborted due to stage failure",
        'Caused by: java.lang.NumberFormatException: For input string: "x0"',
    )
    assert "Driver stacktrace" not in str(info.value)
    assert "more\n" not in str(info.value)


def test_raw_py4j_error_loses_its_stack_trace(spark: Any) -> None:
    from py4j.protocol import Py4JError

    with pytest.raises(Py4JError) as info:
        spark.sparkContext._jsc.sc().noSuchMethodAnywhere()
    assert JVM_TRACE in str(info.value)  # the raw error carries the JVM trace
    assert is_spark_error(info.value)
    error = as_database_error(info.value)
    assert_clean_error(error, "noSuchMethodAnywhere")
    assert spark_error_message(info.value) == str(error.msg)


def test_non_spark_errors_are_not_spark_errors() -> None:
    assert not is_spark_error(ValueError("x"))
    assert not is_spark_error(DbtRuntimeError("x"))


def test_errors_leave_the_handle_usable(handle: SessionHandle) -> None:
    with pytest.raises(DbtDatabaseError):
        handle.execute("select * from nowhere_at_all")
    assert handle.execute("select 41 + 1").fetchall() == [(42,)]


@pytest.mark.parametrize(
    "action",
    [
        lambda h: h.execute("select 1"),
        lambda h: h.list_tables("spark_catalog", "default"),
        lambda h: h.list_schemas("spark_catalog"),
    ],
    ids=["execute", "list_tables", "list_schemas"],
)
def test_closed_handle_refuses_work(handle: SessionHandle, action: Any) -> None:
    handle.close()
    with pytest.raises(DbtRuntimeError, match="closed connection"):
        action(handle)


def test_facts_about_open_source_spark(handle: SessionHandle, table_format: str) -> None:
    assert handle.runtime_version is None
    assert handle.dbr_version == (0, 0)
    assert handle.has_delta is (table_format == "delta")


# -- isolation of a handle's session -----------------------------------------------------------


def test_handles_do_not_share_session_state(
    new_handle: Callable[..., SessionHandle], schema: str, spark: Any
) -> None:
    one, two = new_handle(), new_handle()
    assert one.spark is not two.spark and one.spark is not spark
    one.execute("use default")
    one.execute("set spark.sql.session.timeZone = +03:00")
    one.execute("create temporary view iso_probe as select 'one' as v")
    assert one.execute("select current_schema(), current_timezone()").fetchall() == [
        ("default", "+03:00")
    ]
    assert two.execute("select current_schema()").fetchall() == [(schema,)]
    assert two.execute("select current_timezone()").fetchall() != [("+03:00",)]
    with pytest.raises(DbtDatabaseError, match="TABLE_OR_VIEW_NOT_FOUND"):
        two.execute("select * from iso_probe")
    assert not spark.catalog.tableExists("iso_probe")


def test_session_properties_apply_to_that_handle_only(base: BaseSession, schema: str) -> None:
    handle = open_handle(
        base, "spark_catalog", schema, {"spark.sql.session.timeZone": "+07:00"}, Label("x")
    )
    assert handle.execute("select current_timezone()").fetchall() == [("+07:00",)]
    assert base.spark.conf.get("spark.sql.session.timeZone") != "+07:00"


def test_unknown_catalog_is_a_clear_error(base: BaseSession) -> None:
    with pytest.raises(DbtRuntimeError) as info:
        open_handle(base, "hive_metastore", "default", {}, Label("x"))
    assert "`hive_metastore`" in str(info.value)
    assert "spark_catalog" in str(info.value)


def test_open_sets_no_catalog_that_is_already_current(base: BaseSession, schema: str) -> None:
    """A new session starts in `spark_catalog`: setting it again was a round trip per open."""
    open_handle(base, "spark_catalog", schema, {}, Label("first")).close()  # learns the start
    with Py4jCommands() as py4j:
        handle = open_handle(base, "spark_catalog", schema, {}, Label("x"))
    assert "setCurrentCatalog" not in py4j.methods
    assert "setCurrentDatabase" in py4j.methods  # the schema is not current yet: it is set
    assert handle.execute("select current_catalog(), current_schema()").fetchall() == [
        ("spark_catalog", schema)
    ]
    handle.close()


def test_a_catalog_property_keeps_the_catalog_call(base: BaseSession, schema: str) -> None:
    """A session property naming a catalog can move the current one: then it is always set."""
    properties = {"dbt.test.catalog_probe": "x"}
    with Py4jCommands() as py4j:
        handle = open_handle(base, "spark_catalog", schema, properties, Label("x"))
    assert "setCurrentCatalog" in py4j.methods
    assert handle.execute("select current_schema()").fetchall() == [(schema,)]
    handle.close()


# -- job groups --------------------------------------------------------------------------------


def test_statements_run_under_a_job_group_naming_the_node(
    base: BaseSession, spark: Any, schema: str
) -> None:
    tracker = spark.sparkContext.statusTracker()
    label = Label("model.proj.first")
    handle = open_handle(base, "spark_catalog", schema, {}, label=label)
    first = handle.execute("select sum(id) from range(1000)").get_response().query_id
    first_jobs = tracker.getJobIdsForGroup(group_of(handle, first))
    assert first_jobs, "the statement ran no Spark job under its group"
    assert {job_description(spark, j) for j in first_jobs} == {"dbt: model.proj.first"}

    # The label is read per statement: a connection moves from node to node.
    label.value = "seed.proj.second"
    table = f"{schema}.jobs_{uuid.uuid4().hex[:8]}"
    handle.execute(f"create table {table} (id bigint) using parquet")
    second = handle.execute(f"insert into {table} select id from range(10)").get_response()
    second_jobs = tracker.getJobIdsForGroup(group_of(handle, second.query_id))
    assert second_jobs
    assert {job_description(spark, j) for j in second_jobs} == {"dbt: seed.proj.second"}
    assert not set(first_jobs) & set(second_jobs)


def test_concurrent_handles_label_their_own_jobs(
    new_handle: Callable[..., SessionHandle], spark: Any
) -> None:
    handles = [new_handle(f"model.proj.node_{i}") for i in range(4)]
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            ids = [
                handles[i].execute(f"select sum(id) + {i} from range(2000)").get_response().query_id
                for _ in range(5)
            ]
            results[i] = ids
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(handles))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors and len(results) == len(handles)
    tracker = spark.sparkContext.statusTracker()
    for i, ids in results.items():
        for query_id in ids:
            jobs = tracker.getJobIdsForGroup(group_of(handles[i], query_id))
            assert jobs
            assert {job_description(spark, j) for j in jobs} == {f"dbt: model.proj.node_{i}"}


# -- cancel ------------------------------------------------------------------------------------


def test_cancel_interrupts_the_running_statement_only(
    new_handle: Callable[..., SessionHandle], spark: Any
) -> None:
    victim, bystander = new_handle("model.p.victim"), new_handle("model.p.bystander")
    observer = new_handle("model.p.observer")
    outcome: dict[str, Any] = {}
    victim_prefix = f"dbt-{victim.session_id[:8]}-"
    bystander_prefix = f"dbt-{bystander.session_id[:8]}-"
    threads = {
        name: run_in_thread(name, lambda h=h: h.execute(ENDLESS).fetchall(), outcome)
        for name, h in (("victim", victim), ("bystander", bystander))
    }
    try:
        # Both endless statements hold one of the two cores.
        wait_for(
            lambda: (
                {g[: len(victim_prefix)] for g in active_groups(spark)}
                >= {victim_prefix, bystander_prefix}
            ),
            "both statements to start running",
        )
        canceller = threading.Thread(target=victim.cancel)
        canceller.start()
        canceller.join(timeout=60)
        threads["victim"].join(timeout=120)
        assert not threads["victim"].is_alive(), "cancel() did not stop the statement"
        assert_clean_error(outcome["victim"], "cancelled")
        assert not victim.open

        # The victim's core is free again (its task really stopped), so another connection's
        # statement runs to the end, while the bystander's statement is still running.
        observed = run_in_thread(
            "observer",
            lambda: observer.execute("select sum(id) from range(100)").fetchall(),
            outcome,
        )
        observed.join(timeout=120)
        assert outcome.get("observer") == [(4950,)], outcome.get("observer")
        assert "bystander" not in outcome
        assert any(g.startswith(bystander_prefix) for g in active_groups(spark))
    finally:
        bystander.cancel()
        threads["bystander"].join(timeout=120)
        if any(thread.is_alive() for thread in threads.values()):
            spark.sparkContext.cancelAllJobs()
    assert_clean_error(outcome["bystander"], "cancelled")
    with pytest.raises(DbtRuntimeError, match="closed connection"):
        victim.execute("select 1")


def test_cancel_when_idle_just_closes(handle: SessionHandle) -> None:
    handle.execute("select 1")
    handle.cancel()
    assert not handle.open


# -- Java version parsing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "1.8.0_392"\nOpenJDK Runtime Environment (build 1.8.0_392-b08)', 8),
        ('java version "1.8.0_392"', 8),
        ('openjdk version "17.0.15" 2025-04-15\nOpenJDK 64-Bit Server VM', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('openjdk version "11.0.2" 2019-01-15', 11),
        ('java version "1.7.0_80"', 7),
        ('openjdk version "25-ea" 2025-09-16', 25),
        ("", None),
        ("command not found", None),
        ("version 17", None),
        ('version "abc"', None),
    ],
)
def test_parse_java_major(output: str, major: int | None) -> None:
    assert parse_java_major(output) == major


def test_installed_java_is_read() -> None:
    java = _java_executable()
    if java is None:  # pragma: no cover - Spark could not have started either
        pytest.skip("no java")
    version = java_major_version(java)
    assert version is not None and version >= 17
