"""A text with several statements (a model's sql_header and its SQL, a hook, `run_query`) runs
statement by statement on the session, as a warehouse runs it; `;` inside literals, quoted
identifiers, comments and `$$` bodies does not cut a statement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dbt_common.exceptions import DbtDatabaseError

from dbt.adapters.databricks_session.spark.handle import SessionHandle, open_handle
from dbt.adapters.databricks_session.spark.local import LocalSparkSettings
from dbt.adapters.databricks_session.spark.source import base_session
from dbt.adapters.databricks_session.spark.statements import split_statements

QUERY_COMMENT = '/* {"app": "dbt", "node_id": "model.p.m"} */\n'


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "select ';' as a",
        "select `a;b` from t",
        "select 1 -- a; comment\n",
        "select /* a; /* nested; */ still; */ 1",
        'select "x\\";y" as a',
        "select 'it\\'s;' as a",
        "create function f() returns int language python as $$ a = 1; return a $$",
        "create function f() language python as $body$ x; $body$",
        "BEGIN\n  SET VAR x = 1;\n  SELECT x;\nEND",
        QUERY_COMMENT + "begin declare x int; select x; end",
        "select 1;",
        "select 1; -- trailing comment",
    ],
)
def test_one_statement_is_left_as_it_is(sql: str) -> None:
    assert split_statements(sql) == [sql]


@pytest.mark.parametrize(
    ("sql", "statements"),
    [
        ("set a = 1; select 1", ["set a = 1", "select 1"]),
        (
            QUERY_COMMENT + "set time zone 'Asia/Kolkata';\nselect ';' as x",
            [QUERY_COMMENT.strip() + "\nset time zone 'Asia/Kolkata'", "select ';' as x"],
        ),
        ("set a = 1;;\n;select 1;", ["set a = 1", "select 1"]),
        ("set a = 'x;y'; /* c; */ select `q;`", ["set a = 'x;y'", "/* c; */ select `q;`"]),
        (
            "set a = 1; -- only a comment;\n select 2",
            ["set a = 1", "-- only a comment;\n select 2"],
        ),
    ],
)
def test_statements_are_cut_at_semicolons_outside_quotes(sql: str, statements: list[str]) -> None:
    assert split_statements(sql) == statements


# dbt's rendered SQL has long whitespace runs between its query comment and the first keyword.
# Reading what comes before that keyword once backtracked exponentially in the run's length:
# 24 characters took 1 s and each 2 more 4 times as long. Without a linear reading these tests
# hang until their timeout.
LONG_RUN = QUERY_COMMENT + " \n\t" * 2000


@pytest.mark.timeout(60)
def test_long_whitespace_runs_are_read_in_linear_time() -> None:
    text = LONG_RUN + "select 1;" + LONG_RUN + "select 2;" + LONG_RUN
    assert split_statements(text) == [LONG_RUN + "select 1", LONG_RUN + "select 2"]
    script = LONG_RUN + "/* a */ /* b */ -- c\nbegin select 1; end"
    assert split_statements(script) == [script]


# -- on the session -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def handle(spark: Any, spark_local_dir: str) -> Iterator[SessionHandle]:
    base = base_session(LocalSparkSettings(master="local[2]", local_dir=spark_local_dir))
    opened = open_handle(base, "spark_catalog", "default", {}, label=lambda: "model.p.header")
    yield opened
    opened.close()


def test_a_header_applies_to_the_statement_after_it(handle: SessionHandle) -> None:
    cursor = handle.execute(
        QUERY_COMMENT + "set time zone 'Asia/Kolkata';\nselect current_timezone() as tz, ';' as s"
    )
    assert [column[0] for column in cursor.description] == ["tz", "s"]
    assert cursor.fetchall() == [("Asia/Kolkata", ";")]
    # The setting stays on this connection's session, as it does on a warehouse session.
    assert handle.execute("select current_timezone()").fetchone() == ("Asia/Kolkata",)


def test_a_failing_leading_statement_is_one_clear_error(handle: SessionHandle) -> None:
    with pytest.raises(DbtDatabaseError) as caught:
        handle.execute("set time zone 'Nowhere/Atlantis'; select 1")
    message = str(caught.value)
    assert "INVALID_CONF_VALUE.TIME_ZONE" in message and "Nowhere/Atlantis" in message
    assert "\n\tat " not in message
    assert handle.execute("select 2").fetchone() == (2,)


def test_every_statement_of_a_hook_runs(handle: SessionHandle) -> None:
    handle.execute(
        "create or replace temporary view header_a as select 1 as id;"
        "create or replace temporary view header_b as select 'a;b' as id;"
    )
    assert handle.execute("select * from header_a").fetchall() == [(1,)]
    assert handle.execute("select * from header_b").fetchall() == [("a;b",)]


@pytest.mark.timeout(120)
def test_a_statement_after_a_long_whitespace_run_runs(handle: SessionHandle) -> None:
    # The session checks each statement for a state change (USE/SET) and for a write.
    handle.execute(LONG_RUN + "create or replace temporary view header_c as select 3 as id")
    assert handle.execute(LONG_RUN + "select * from header_c").fetchall() == [(3,)]
    handle.execute(LONG_RUN + "set spark.sql.shuffle.partitions = 3")
    assert handle.execute("select 1").fetchone() == (1,)
