"""Delta Lake on local Spark: what `dbt debug` says, data kept by failing rebuilds, and the
offline fallback (dbt in a new process, in a network namespace with no route out)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from dbt.tests.util import run_dbt, run_dbt_and_capture, write_file

from dbt.adapters.databricks_session.spark import delta

pytestmark = pytest.mark.delta

FAILING_SELECT = "select cast(raise_error('the rebuild fails') as int) as id"
FAILING_TABLE = "{{ config(materialized='table') }} " + FAILING_SELECT
FAILING_INCREMENTAL = "{{ config(materialized='incremental', unique_key='id') }} " + FAILING_SELECT
FAILING_PY = """
def model(dbt, spark):
    dbt.config(materialized="table")
    return spark.sql("select cast(raise_error('the rebuild fails') as int) as id")
"""


@pytest.mark.usefixtures("delta_only")
class TestDeltaSession:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "tbl.sql": "{{ config(materialized='table') }} select 1 as id",
            "inc.sql": ("{{ config(materialized='incremental', unique_key='id') }} select 1 as id"),
            "py_tbl.py": (
                "def model(dbt, spark):\n"
                "    dbt.config(materialized='table')\n"
                "    return spark.sql('select 1 as id')\n"
            ),
        }

    def test_debug_reports_delta_and_its_version(self, project: Any) -> None:
        _, output = run_dbt_and_capture(["debug"])
        assert f"Delta Lake: {delta.delta_spark_version()}" in output

    def test_tables_are_delta_merge_by_default_and_report_writes(
        self, project: Any, spark: Any
    ) -> None:
        results = run_dbt(["run"])
        for name in ("tbl", "inc", "py_tbl"):
            detail = project.run_sql(f"describe detail {project.test_schema}.{name}", fetch="one")
            assert detail[0] == "delta", (name, detail)
        # Run results: what Delta committed, and the Spark jobs of the model's own job group.
        responses = {result.node.name: result.adapter_response for result in results}
        for name in ("tbl", "py_tbl"):
            assert_reports_the_write(spark, f"{project.test_schema}.{name}", responses[name])
        assert responses["py_tbl"]["query_id"] != "N/A"
        with open(os.path.join(project.project_root, "target", "run_results.json")) as file:
            written = {
                r["unique_id"].split(".")[-1]: r["adapter_response"]
                for r in json.load(file)["results"]
            }
        assert written["tbl"] == responses["tbl"]
        # A unique_key and no strategy: merge, as on Databricks (a second run updates in place).
        merged = run_dbt(["run", "--select", "inc"])[0].adapter_response
        assert project.run_sql(f"select count(*) from {project.test_schema}.inc", fetch="one") == (
            1,
        )
        assert merged["delta_operation"] == "MERGE", merged
        assert merged["delta_operation_metrics"]["numTargetRowsUpdated"] == 1

    # Each failing model keeps its materialization: without its config a model becomes a view,
    # and a view over `raise_error` builds fine.
    @pytest.mark.parametrize(
        "name, failing",
        [("tbl", FAILING_TABLE), ("inc", FAILING_INCREMENTAL), ("py_tbl", FAILING_PY)],
    )
    def test_failing_rebuild_keeps_previous_table(
        self, project: Any, name: str, failing: str
    ) -> None:
        run_dbt(["run", "--select", name])
        suffix = "py" if name.startswith("py") else "sql"
        path = os.path.join(project.project_root, "models", f"{name}.{suffix}")
        original = Path(path).read_text()
        write_file(failing, path)
        try:
            results = run_dbt(["run", "--select", name], expect_pass=False)
            assert "the rebuild fails" in (results[0].message or "")
        finally:
            write_file(original, path)
        rows = project.run_sql(f"select id from {project.test_schema}.{name}", fetch="all")
        assert [tuple(row) for row in rows] == [(1,)]


def assert_reports_the_write(spark: Any, table: str, response: dict[str, Any]) -> None:
    """A table model's adapter response against Spark's own numbers for the table."""
    detail = spark.sql(f"describe detail {table}").collect()[0]
    history = spark.sql(f"describe history {table} limit 1").collect()[0]
    assert response["rows_written"] == spark.table(table).count(), response
    assert (response["files_written"], response["bytes_written"]) == (
        detail.numFiles,
        detail.sizeInBytes,
    )
    assert response["delta_version"] == history.version
    status = spark.sparkContext._jsc.sc().statusStore()
    assert response["spark_job_ids"], response
    for job_id in response["spark_job_ids"]:
        group = str(status.job(job_id).jobGroup().get())
        assert group.endswith(response["query_id"]), (group, response)
    assert response["execution_time_ms"] > 0


def _offline_project(tmp_path: Path, table_format: str | None) -> Path:
    """A one-model project whose profile resolves Delta into an empty Ivy directory."""
    project = tmp_path / "offline"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: offline\nversion: '1.0'\nconfig-version: 2\nprofile: offline\n"
    )
    (project / "models" / "one.sql").write_text("{{ config(materialized='table') }} select 1 id")
    format_line = f"      local_table_format: {table_format}\n" if table_format else ""
    (project / "profiles.yml").write_text(
        textwrap.dedent(
            f"""\
            offline:
              target: local
              outputs:
                local:
                  type: databricks_session
                  method: session
                  schema: offline
                  threads: 1
                  spark_master: "local[1]"
                  spark_conf:
                    spark.jars.ivy: "{tmp_path / "empty-ivy"}"
            """
        )
        + format_line
    )
    return project


def _dbt_without_network(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("needs unshare and ip to run dbt without a network")
    dbt = os.path.join(os.path.dirname(sys.executable), "dbt")
    command = f"ip link set lo up && exec {dbt} {' '.join(args)}"
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    cwd_args = ["--project-dir", str(project), "--profiles-dir", str(project)]
    result = subprocess.run(
        ["unshare", "-n", "sh", "-c", f"{command} {' '.join(cwd_args)}"],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    if "unshare failed" in result.stderr or "Operation not permitted" in result.stderr:
        pytest.skip(f"cannot make a network namespace here: {result.stderr.strip()}")
    return result


@pytest.mark.parquet
def test_offline_run_falls_back_to_parquet_with_one_line(
    tmp_path: Path, parquet_only: None
) -> None:
    result = _dbt_without_network(_offline_project(tmp_path, None), "run")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    fallback = [line for line in output.splitlines() if "without Delta Lake" in line]
    assert len(fallback) == 1, output
    assert "could not be resolved" in fallback[0] and "spark.jars.repositories" in fallback[0]
    assert "PASS=1" in output and "Traceback" not in output


@pytest.mark.parquet
def test_offline_run_with_explicit_delta_fails_clearly(tmp_path: Path, parquet_only: None) -> None:
    result = _dbt_without_network(_offline_project(tmp_path, "delta"), "run")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "`local_table_format: delta`: local Spark cannot load Delta Lake" in output
    assert "local_table_format: parquet" in output
    assert "Traceback" not in output and "Py4J" not in output


CONTRACT_YML = """
models:
  - name: constrained
    config:
      materialized: table
      contract: {enforced: true}
    columns:
      - name: id
        data_type: int
        constraints: [{type: not_null}, {type: check, expression: "id > 0", name: id_positive}]
      - name: name
        data_type: string
  - name: keyed
    config:
      materialized: table
      contract: {enforced: true}
    columns:
      - name: id
        data_type: int
        constraints: [{type: primary_key}]
"""

PY_MERGE = """
def model(dbt, spark):
    dbt.config(materialized="incremental", unique_key="id")
    value = "second" if dbt.is_incremental else "first"
    return spark.sql(f"select id, '{value}' as run from values (1), (2) as t(id)")
"""


@pytest.mark.usefixtures("delta_only")
class TestDeltaConstraintsAndPythonMerge:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "constrained.sql": "select 1 as id, 'a' as name",
            "keyed.sql": "select 1 as id",
            "py_merge.py": PY_MERGE,
            "schema.yml": CONTRACT_YML,
        }

    def test_constraints_are_enforced_by_delta(self, project: Any, spark: Any) -> None:
        results = run_dbt(["run", "--select", "constrained"])
        assert str(results[0].status) == "success"
        table = f"{project.test_schema}.constrained"
        for row, violated in (("null, 'b'", "id_not_null"), ("-1, 'c'", "id_positive")):
            with pytest.raises(Exception) as caught:
                spark.sql(f"insert into spark_catalog.{table} values ({row})").collect()
            assert violated in str(caught.value), str(caught.value)
        assert project.run_sql(f"select count(*) from {table}", fetch="one") == (1,)

    def test_primary_key_fails_before_any_sql(self, project: Any) -> None:
        results = run_dbt(["run", "--select", "keyed"], expect_pass=False)
        message = results[0].message or ""
        assert "Primary and foreign key constraints" in message, message
        assert "Databricks runtime" in message and "SQLSTATE" not in message
        tables = project.run_sql(f"show tables in {project.test_schema} like 'keyed'", fetch="all")
        assert list(tables) == []  # nothing was built

    def test_incremental_python_model_merges(self, project: Any) -> None:
        run_dbt(["run", "--select", "py_merge"])
        run_dbt(["run", "--select", "py_merge"])
        rows = project.run_sql(
            f"select id, run from {project.test_schema}.py_merge order by id", fetch="all"
        )
        assert [tuple(row) for row in rows] == [(1, "second"), (2, "second")]
