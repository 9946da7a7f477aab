"""Connections are isolated: 16 models on 8 threads each change the session's state the same way
(`USE`, `SET`, session variables, temp views, with the same names) and read it back.

If two dbt threads shared a Spark session, a model would read another model's schema, time zone,
variable or view, because another thread changes them between its hooks and its SELECT.
"""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.util import run_dbt
from dbt_common.exceptions import DbtDatabaseError

from dbt.adapters.databricks_session.spark.handle import open_handle
from dbt.adapters.databricks_session.spark.local import LocalSparkSettings
from dbt.adapters.databricks_session.spark.source import base_session

MODELS = 16
THREADS = 8
pytestmark = pytest.mark.both_session_kinds


def timezone(n: int) -> str:
    return f"+{n + 1:02d}:00"


def model_sql(n: int) -> str:
    name = f"iso_{n:02d}"
    hooks = [
        f"create schema if not exists {{{{ target.schema }}}}_o{n:02d}",
        f"use {{{{ target.schema }}}}_o{n:02d}",
        f"set spark.sql.session.timeZone = {timezone(n)}",
        "declare or replace variable iso_hook_var string default 'unset'",
        f"set var iso_hook_var = '{name}'",
        f"create or replace temporary view iso_hook_view as select '{name}' as v",
    ]
    hook_list = ",\n    ".join(f'"{hook}"' for hook in hooks)
    return f"""
{{{{ config(materialized='table', pre_hook=[
    {hook_list}
]) }}}}
{{#- The body changes the session too: this Jinja runs on the model's connection before the
    pre-hooks, when the model is compiled. -#}}
{{% if execute %}}
  {{% do run_query("declare or replace variable iso_body_var int default " ~ {n}) %}}
  {{% do run_query("create or replace temporary view iso_body_view as select {n} as v") %}}
  {{% do run_query("set spark.sql.shuffle.partitions = {n + 1}") %}}
{{% endif %}}
select
  '{name}' as model_name,
  {n} as n,
  current_schema() as seen_schema,
  current_timezone() as seen_timezone,
  iso_hook_var as seen_hook_var,
  (select max(v) from iso_hook_view) as seen_hook_view,
  iso_body_var as seen_body_var,
  (select max(v) from iso_body_view) as seen_body_view,
  (select count(*) from iso_hook_view) as hook_view_rows
"""


class TestConnectionIsolation:
    @pytest.fixture(scope="class")
    def dbt_profile_target(self, dbt_profile_target: dict[str, Any]) -> dict[str, Any]:
        return {**dbt_profile_target, "threads": THREADS}

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {f"iso_{n:02d}.sql": model_sql(n) for n in range(MODELS)}

    @pytest.fixture(scope="class")
    def other_schemas(self, project: Any, spark: Any) -> Any:
        names = [f"{project.test_schema}_o{n:02d}" for n in range(MODELS)]
        yield names
        for name in names:
            spark.sql(f"drop schema if exists {name} cascade")

    def test_every_model_sees_only_its_own_session_state(
        self,
        project: Any,
        spark: Any,
        spark_local_dir: str,
        spark_remote: str | None,
        other_schemas: list[str],
    ) -> None:
        base_before = (
            spark.conf.get("spark.sql.session.timeZone"),
            spark.catalog.currentDatabase(),
            spark.conf.get("spark.sql.shuffle.partitions"),
        )

        results = run_dbt(["run"])
        assert len(results) == MODELS
        assert all(result.status == "success" for result in results)

        schema = project.test_schema
        seen = {}
        for n in range(MODELS):
            rows = spark.sql(f"select * from spark_catalog.{schema}.iso_{n:02d}").collect()
            assert len(rows) == 1
            seen[n] = rows[0].asDict()

        for n, row in seen.items():
            expected = {
                "model_name": f"iso_{n:02d}",
                "n": n,
                "seen_schema": other_schemas[n],
                "seen_timezone": timezone(n),
                "seen_hook_var": f"iso_{n:02d}",
                "seen_hook_view": f"iso_{n:02d}",
                "seen_body_var": n,
                "seen_body_view": n,
                "hook_view_rows": 1,
            }
            assert row == expected, f"model iso_{n:02d} saw another connection's state"

        # Nothing leaked into the process's own session...
        assert base_before == (
            spark.conf.get("spark.sql.session.timeZone"),
            spark.catalog.currentDatabase(),
            spark.conf.get("spark.sql.shuffle.partitions"),
        )
        temp_views = {t.name for t in spark.catalog.listTables() if t.isTemporary}
        assert not {"iso_hook_view", "iso_body_view"} & temp_views

        # ...nor into a fresh connection opened the way the adapter opens one.
        settings = LocalSparkSettings(master="local[2]", local_dir=spark_local_dir)
        base = base_session(settings, spark_remote)
        assert base.is_connect == (spark_remote is not None)
        fresh = open_handle(base, "spark_catalog", schema, {}, label=lambda: "fresh")
        assert fresh.execute("select current_schema(), current_timezone()").fetchall() == [
            (schema, base_before[0])
        ]
        for probe in (
            "select iso_hook_var",
            "select iso_body_var",
            "select * from iso_hook_view",
            "select * from iso_body_view",
        ):
            with pytest.raises(DbtDatabaseError):
                fresh.execute(probe)

        # A second dbt invocation starts from a clean session as well.
        show = run_dbt(
            ["show", "--inline", "select current_schema() as s, current_timezone() as tz"]
        )
        row = show[0].agate_table.rows[0]
        assert (row["s"], row["tz"]) == (schema, base_before[0])
