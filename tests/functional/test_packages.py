"""A package that overrides `spark__` macros and dispatches back (spark_utils' pattern) parses and
runs: dbt-databricks' `databricks__dateadd`/`databricks__datediff` call a bare `spark__dateadd`
when the `timestampdiff` capability is off, and a package's own `spark__dateadd` that dispatches
`dbt.dateadd` again would then recurse until Python's limit ("maximum recursion depth exceeded").
Open-source Spark has had `timestampadd`/`timestampdiff` since 3.3, so the capability is on, at
parse time as at run time, and the SQL dbt-databricks emits for it runs on local Spark."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.util import run_dbt

pytestmark = [pytest.mark.parquet, pytest.mark.delta]

SHIM_PROJECT = """
name: shim
version: "1.0"
config-version: 2
"""

# As a package that adapts cross-database macros to Spark does it: its `spark__` versions hand
# back to dbt's dispatch for the dateparts it does not handle itself.
SHIM_MACROS = """
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) %}
  {{ return(dbt.dateadd(datepart, interval, from_date_or_timestamp)) }}
{% endmacro %}

{% macro spark__datediff(first_date, second_date, datepart) %}
  {{ return(dbt.datediff(first_date, second_date, datepart)) }}
{% endmacro %}
"""

# A model of the package itself: inside it, bare macro names find the package's macros first, so
# upstream's bare `spark__dateadd` call lands on the one above.
SHIM_MODEL = """
{{ config(materialized='table') }}
select
  {{ dbt.dateadd('day', 1, "cast('2024-02-28' as date)") }} as next_day,
  {{ dbt.dateadd('month', 1, "cast('2024-01-31' as date)") }} as next_month,
  {{ dbt.datediff("cast('2024-01-01' as date)", "cast('2024-03-01' as date)", 'day') }} as days
"""

# A data test in the package: upstream's issue showed up as "Compilation Error in test ...".
SHIM_SCHEMA = """
version: 2
models:
  - name: shim_dates
    data_tests:
      - dbt_utils_like_expression:
          expression: "{{ dbt.datediff('next_day', 'next_month', 'day') }} >= 0"
"""

SHIM_TEST = """
{% test dbt_utils_like_expression(model, expression) %}
select * from {{ model }} where not ({{ expression }})
{% endtest %}
"""


class TestSparkUtilsDispatchPattern:
    @pytest.fixture(scope="class", autouse=True)
    def shim_package(self, project_root: Any) -> None:
        package = project_root.mkdir("shim")
        package.join("dbt_project.yml").write(SHIM_PROJECT)
        package.mkdir("macros").join("cross_db.sql").write(SHIM_MACROS)
        package.join("macros").join("expression_test.sql").write(SHIM_TEST)
        models = package.mkdir("models")
        models.join("shim_dates.sql").write(SHIM_MODEL)
        models.join("schema.yml").write(SHIM_SCHEMA)

    @pytest.fixture(scope="class")
    def packages(self) -> dict[str, Any]:
        return {"packages": [{"local": "shim"}]}

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        # The root project's own model: bare names there resolve to dbt's macros.
        return {
            "root_dates.sql": (
                "select {{ dbt.dateadd('hour', 2, \"timestamp'2024-01-01 22:00:00'\") }} as later"
            )
        }

    def test_package_parses_and_its_date_sql_runs(self, project: Any) -> None:
        run_dbt(["deps"])
        results = run_dbt(["build"])
        assert {r.node.name for r in results} >= {"shim_dates", "root_dates"}
        row = project.run_sql(
            f"select next_day, next_month, days from {project.test_schema}.shim_dates",
            fetch="one",
        )
        assert [str(value)[:10] for value in row[:2]] == ["2024-02-29", "2024-02-29"]
        assert row[2] == 60
        later = project.run_sql(f"select later from {project.test_schema}.root_dates", fetch="one")
        assert str(later[0]) == "2024-01-02 00:00:00"
