"""Python models in the session: failures are failures, state stays with its model."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.util import run_dbt, run_dbt_and_capture

# Run on classic Spark and over Spark Connect (see tests/conftest.py).
pytestmark = pytest.mark.both_session_kinds

RAISES = """
def model(dbt, session):
    dbt.config(materialized="table")
    rows = session.range(3)
    return rows.selectExpr("id / 0 as x").limit(1 // 0)
"""

EXITS = """
import sys

def model(dbt, session):
    sys.exit(0)
    return session.range(1)
"""

INTERRUPTS = """
def model(dbt, session):
    raise KeyboardInterrupt("pressed inside the model")
    return session.range(1)
"""

SPARK_ERROR = """
def model(dbt, session):
    return session.sql("select * from no_such_table_anywhere")
"""

SLOW_SPARK = """
def model(dbt, session):
    dbt.config(timeout=3)
    # A Spark job long enough that only cancellation ends it.
    session.range(0, 10 ** 13, numPartitions=2).selectExpr("sum(id % 7)").collect()
    return session.range(1)
"""

SLOW_PYTHON = """
def model(dbt, session):
    dbt.config(timeout=3)
    while True:
        pass
    return session.range(1)
"""

NEEDS_PACKAGES = """
def model(dbt, session):
    dbt.config(packages=["definitely-not-installed-pkg==1.0", "pyspark"])
    return session.range(1)
"""

CLUSTER_CONFIG = """
def model(dbt, session):
    dbt.config(job_cluster_config={"spark_version": "15.4.x-scala2.12"})
    return session.range(1)
"""

REST_METHOD = """
def model(dbt, session):
    dbt.config(
        submission_method="job_cluster", job_cluster_config={"spark_version": "15.4.x-scala2.12"}
    )
    return session.range(1)
"""

EXPECTED = {
    "raises": ["ZeroDivisionError", 'models/raises.py", line 5, in model', "1 // 0"],
    "exits": ["SystemExit", 'models/exits.py", line 5, in model'],
    "interrupts": ["KeyboardInterrupt", "pressed inside the model"],
    "spark_error": ["AnalysisException", "TABLE_OR_VIEW_NOT_FOUND"],
    "slow_spark": ["exceeded its timeout of 3 s"],
    "slow_python": ["exceeded its timeout of 3 s"],
    "needs_packages": ["definitely-not-installed-pkg==1.0", "cannot install packages"],
    "rest_method": ["submission_method 'job_cluster'", "`host` with `token`"],
}


class TestPythonModelFailures:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "raises.py": RAISES,
            "exits.py": EXITS,
            "interrupts.py": INTERRUPTS,
            "spark_error.py": SPARK_ERROR,
            "slow_spark.py": SLOW_SPARK,
            "slow_python.py": SLOW_PYTHON,
            "needs_packages.py": NEEDS_PACKAGES,
            "cluster_config.py": CLUSTER_CONFIG,
            "rest_method.py": REST_METHOD,
        }

    def test_every_failure_is_reported_as_such(self, project: Any) -> None:
        results, log = run_dbt_and_capture(["run"], expect_pass=False)
        by_name = {result.node.name: result for result in results}
        for name, words in EXPECTED.items():
            result = by_name[name]
            assert str(result.status) == "error", (name, result.status, result.message)
            for word in words:
                assert word in result.message, f"{name}: {result.message!r} lacks {word!r}"
            assert "Traceback" not in result.message and "\tat " not in result.message
        # Job settings that mean nothing in a session are named in a warning, not ignored.
        assert str(by_name["cluster_config"].status) == "success"
        assert "job_cluster_config" in log and "do not apply" in log

    def test_failed_model_leaves_no_table(self, project: Any) -> None:
        run_dbt(["run", "-s", "raises"], expect_pass=False)
        tables = project.run_sql(f"show tables in {project.test_schema}", fetch="all")
        assert "raises" not in {row[1] for row in tables}


RECORD_VIEWS = """
{% macro record_views(table) %}
  {% if not execute %}{{ return("") }}{% endif %}
  {% set names = run_query("show views").columns["viewName"].values() | sort | join(",") %}
  {% do run_query("drop table if exists " ~ table) %}
  {% do run_query("create table " ~ table ~ " using parquet as select '"
                  ~ names ~ "' as names") %}
{% endmacro %}
"""

MAKES_VIEWS = """
def model(dbt, session):
    dbt.config(materialized="table")
    session.range(2).createOrReplaceTempView("made_by_model")
    session.conf.set("spark.sql.shuffle.partitions", "7")
    seen = session.sql("select count(*) as n from kept_view").collect()[0]["n"]
    return session.createDataFrame([(seen,)], "kept_view_rows long")
"""

HOOKS_YML = """
models:
  - name: makes_views
    config:
      pre_hook: "create or replace temporary view kept_view as select 1 as x"
      post_hook: "{{ record_views(this.schema ~ '.views_after') }}"
"""

READS_CONF = """
{{ config(materialized="table", post_hook="{{ record_views(this.schema ~ '.views_next') }}") }}
{% set conf = run_query("set spark.sql.shuffle.partitions") if execute else none %}
select '{{ conf.columns[1].values()[0] if conf else "" }}' as shuffle_partitions
from {{ ref('makes_views') }}
"""


class TestPythonModelSessionHygiene:
    @pytest.fixture(scope="class")
    def macros(self) -> dict[str, str]:
        return {"record_views.sql": RECORD_VIEWS}

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "makes_views.py": MAKES_VIEWS,
            "reads_conf.sql": READS_CONF,
            "hooks.yml": HOOKS_YML,
        }

    def test_temp_views_and_conf_stay_with_the_model(self, project: Any) -> None:
        run_dbt(["run"])
        schema = project.test_schema
        kept = project.run_sql(f"select kept_view_rows from {schema}.makes_views", fetch="one")
        assert kept[0] == 1  # the pre-hook's view was visible to the model: same session
        names = project.run_sql(f"select names from {schema}.views_after", fetch="one")[0]
        # The model's hooks share its session: they see the pre-hook's view and the model's.
        assert {"kept_view", "made_by_model"} <= set(names.split(","))
        # The next node's session is a new one: both went with the model's connection.
        names = project.run_sql(f"select names from {schema}.views_next", fetch="one")[0]
        assert not {"kept_view", "made_by_model"} & set(names.split(","))
        conf = project.run_sql(f"select shuffle_partitions from {schema}.reads_conf", fetch="one")
        assert conf[0] != "7"


PER_THREAD_PY = """
def model(dbt, session):
    dbt.config(materialized="table")
    me = "{name}"
    session.conf.set("dbt.test.owner", me)
    session.range(1).selectExpr(f"'{{me}}' as owner").createOrReplaceTempView("shared_name")
    total = session.range(0, 3_000_000).selectExpr("sum(id)").collect()[0][0]
    owner_conf = session.conf.get("dbt.test.owner")
    owner_view = session.table("shared_name").collect()[0]["owner"]
    return session.createDataFrame([(me, owner_conf, owner_view, total)],
                                   "me string, conf string, view string, total long")
"""

PER_THREAD_SQL = """
{{{{ config(materialized="table",
    pre_hook=["set dbt.test.owner = {name}",
              "create or replace temporary view shared_name as select '{name}' as owner"]) }}}}
select '{name}' as me,
       (select max(owner) from shared_name) as view,
       (select count(*) from range(0, 3000000)) as total
"""


class TestPythonAndSqlModelsOnFourThreads:
    @pytest.fixture(scope="class")
    def dbt_profile_target(self, dbt_profile_target: dict) -> dict:
        return {**dbt_profile_target, "threads": 4}

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        python = {f"py_{i}.py": PER_THREAD_PY.format(name=f"py_{i}") for i in range(4)}
        sql = {f"sql_{i}.sql": PER_THREAD_SQL.format(name=f"sql_{i}") for i in range(4)}
        return {**python, **sql}

    def test_no_cross_talk(self, project: Any) -> None:
        run_dbt(["run"])
        schema = project.test_schema
        for i in range(4):
            me, conf, view, _ = project.run_sql(f"select * from {schema}.py_{i}", fetch="one")
            assert (me, conf, view) == (f"py_{i}",) * 3
            me, view, _ = project.run_sql(f"select * from {schema}.sql_{i}", fetch="one")
            assert (me, view) == (f"sql_{i}",) * 2
