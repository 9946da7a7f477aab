"""A microbatch model without Delta fails once, before dbt splits it into batches.

dbt runs each batch as its own materialization: left to the batches, the first one fails, every
other batch is reported SKIP on its own console line (here some 1,800 daily batches) and the
model ends with the bare message `ERROR`.
"""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.util import run_dbt, run_dbt_and_capture

EVENTS = "{{ config(materialized='table', event_time='ts') }} select 1 as id, {{ ts }} as ts"
MICROBATCH = """
{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='ts',
          begin='2021-01-01', batch_size='day') }}
select * from {{ ref('events') }}
"""
TS = "cast('2021-06-01' as timestamp)"

pytestmark = [pytest.mark.parquet, pytest.mark.usefixtures("parquet_only")]


class TestMicrobatchWithoutDelta:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"events.sql": EVENTS.replace("{{ ts }}", TS), "mb.sql": MICROBATCH}

    def test_one_error_before_any_batch(self, project: Any) -> None:
        # A table the model built before (say, as a plain table) is there to be kept.
        table = f"{project.test_schema}.mb"
        project.run_sql(f"create table {table} using parquet as select 7 as id, {TS} as ts")

        results, output = run_dbt_and_capture(["run"], expect_pass=False)
        by_name = {result.node.name: result for result in results}
        assert str(by_name["events"].status) == "success"
        failed = by_name["mb"]
        assert str(failed.status) == "error"
        message = failed.message or ""
        assert "The incremental strategy 'microbatch'" in message, message
        assert "requires Delta Lake" in message, message
        # Once: no batch ran, none was skipped, no worker-thread exception.
        assert "batch 2021-" not in output and "Batch 1 of" not in output, output[-2000:]
        assert "Exception on worker thread" not in output
        assert output.count("The incremental strategy 'microbatch'") <= 2, output  # log + summary
        assert project.run_sql(f"select id from {table}", fetch="all") == [(7,)]

    def test_compile_still_works(self, project: Any) -> None:
        # Compiling builds nothing: the model's SQL compiles as anywhere else.
        results = run_dbt(["compile", "--select", "mb"])
        assert [str(r.status) for r in results] == ["success"]
