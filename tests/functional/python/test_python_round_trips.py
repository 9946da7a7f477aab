"""A Python model costs the session no statement its SQL twin does not: Spark's own records."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.util import run_dbt

from tests.support import last_sql_execution_id, sql_executions_since

# Run on classic Spark and over Spark Connect (see tests/conftest.py).
pytestmark = pytest.mark.both_session_kinds

MAKES_A_VIEW = """
def model(dbt, session):
    dbt.config(materialized="table")
    session.range(3).createOrReplaceTempView("made_by_model")
    return session.table("made_by_model")
"""


def view_listings(spark: Any, after_id: int) -> list[int]:
    return [i for i, plan in sql_executions_since(spark, after_id) if "ShowViews" in plan]


SQL_TWIN = """
{{ config(materialized="table") }}
select id from range(3)
"""


class TestPythonModelOnItsOwnSession:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"makes_a_view.py": MAKES_A_VIEW, "sql_twin.sql": SQL_TWIN}

    def test_no_temp_view_listing(self, project: Any, spark: Any) -> None:
        # The observation works: a listing of this process's own shows up in Spark's records.
        before = last_sql_execution_id(spark)
        spark.sql("SHOW VIEWS").collect()
        assert view_listings(spark, before)

        # dbt's relation cache lists each schema's views (`SHOW VIEWS IN ...`) for both models
        # alike; the Python model adds no listing of its own.
        listings = {}
        for model in ("sql_twin", "makes_a_view"):
            before = last_sql_execution_id(spark)
            run_dbt(["run", "-s", model])
            assert sql_executions_since(spark, before)  # the run's statements are recorded
            listings[model] = len(view_listings(spark, before))
        assert listings["makes_a_view"] == listings["sql_twin"]
        rows = project.run_sql(f"select count(*) from {project.test_schema}.makes_a_view", "one")
        assert rows[0] == 3
