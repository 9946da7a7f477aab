"""What a statement's adapter response reports, checked against Spark's own numbers: rows of
the DBSQL connector's shape, the Spark jobs of the statement's job group, and what a write put
into its table (Delta's `describe detail` / `describe history`, or the files on disk)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from databricks.sql.types import Row

from dbt.adapters.databricks_session.spark.handle import SessionHandle, open_handle
from dbt.adapters.databricks_session.spark.local import LocalSparkSettings
from dbt.adapters.databricks_session.spark.source import base_session


@pytest.fixture(scope="module")
def handle(spark: Any, spark_local_dir: str) -> Iterator[SessionHandle]:
    base = base_session(LocalSparkSettings(master="local[2]", local_dir=spark_local_dir))
    schema = f"metrics_{uuid.uuid4().hex[:10]}"
    base.spark.sql(f"CREATE SCHEMA {schema}")
    handle = open_handle(base, "spark_catalog", schema, {}, label=lambda: "model.proj.m")
    yield handle
    handle.close()
    base.spark.sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def jobs_of_group(spark: Any, group: str) -> list[int]:
    spark.sparkContext._jsc.sc().listenerBus().waitUntilEmpty(10_000)
    return sorted(spark.sparkContext.statusTracker().getJobIdsForGroup(group))


def test_rows_have_the_dbsql_connector_shape(handle: SessionHandle) -> None:
    rows = handle.execute("select 1 as col_name, 'x' as other").fetchall()
    row = rows[0]
    assert isinstance(row, Row)
    assert (row.col_name, row["other"], row[0], row[-1]) == (1, "x", 1, "x")
    assert row.asDict() == {"col_name": 1, "other": "x"}
    with pytest.raises(AttributeError):
        row.missing  # noqa: B018
    assert rows == [(1, "x")]  # still equal to plain tuples


def test_spark_job_ids_are_the_statements_own_jobs(handle: SessionHandle) -> None:
    cursor = handle.execute("select count(*) as n from range(100000)")
    response = cursor.get_response()
    assert response.spark_job_ids, response
    group = handle.group_name(cursor.statement_id)
    assert response.spark_job_ids == jobs_of_group(handle.spark, group)
    assert response.execution_time_ms is not None and response.execution_time_ms >= 0
    # A statement without Spark jobs has none, and wrote nothing.
    described = handle.execute("describe schema default").get_response()
    assert described.spark_job_ids == []
    assert "rows_written" not in described.to_dict(omit_none=True)


def test_file_source_insert_reports_the_files_it_wrote(handle: SessionHandle) -> None:
    table = f"ins_{uuid.uuid4().hex[:8]}"
    handle.execute(f"create table {table} (id bigint, s string) using parquet")
    response = handle.execute(
        f"insert into {table} select id, cast(id as string) from range(777)"
    ).get_response()
    files = [
        urlparse(row[0]).path
        for row in handle.spark.sql(f"select distinct input_file_name() from {table}").collect()
    ]
    assert response.rows_written == 777 == handle.spark.table(table).count()
    assert response.files_written == len(files)
    assert response.bytes_written == sum(os.path.getsize(path) for path in files)
    # A parquet CREATE TABLE AS SELECT carries no write metrics in its plan: none reported.
    created = handle.execute(f"create table {table}_ctas using parquet as select 1 as id")
    assert "rows_written" not in created.get_response().to_dict(omit_none=True)


@pytest.mark.delta
@pytest.mark.usefixtures("delta_only")
def test_delta_writes_report_what_delta_committed(handle: SessionHandle) -> None:
    table = f"delta_{uuid.uuid4().hex[:8]}"
    spark = handle.spark

    def detail() -> Any:
        return spark.sql(f"describe detail {table}").collect()[0]

    created = handle.execute(
        f"create or replace table {table} using delta "
        "as select id, cast(id as string) as s from range(1000)"
    ).get_response()
    after_create = detail()
    assert created.rows_written == 1000 == spark.table(table).count()
    assert (created.files_written, created.bytes_written) == (
        after_create.numFiles,
        after_create.sizeInBytes,
    )
    assert (created.delta_version, created.delta_operation) == (
        0,
        "CREATE OR REPLACE TABLE AS SELECT",
    )

    inserted = handle.execute(f"insert into {table} select id, 'x' from range(10)").get_response()
    after_insert = detail()
    assert inserted.rows_written == 10
    assert inserted.files_written == after_insert.numFiles - after_create.numFiles
    assert inserted.bytes_written == after_insert.sizeInBytes - after_create.sizeInBytes

    merged = handle.execute(
        f"merge into {table} t using (select id from range(5)) s on t.id = s.id "
        "when matched then update set s = 'merged'"
    ).get_response()
    history = spark.sql(f"describe history {table} limit 1").collect()[0]
    assert merged.delta_version == history.version and merged.delta_operation == "MERGE"
    assert merged.delta_operation_metrics == {
        key: int(value) for key, value in history.operationMetrics.items()
    }
    assert merged.rows_written == int(history.operationMetrics["numOutputRows"])
    assert merged.files_written == int(history.operationMetrics["numTargetFilesAdded"])
    assert merged.rows_affected == 10  # Spark's own num_affected_rows, as before
