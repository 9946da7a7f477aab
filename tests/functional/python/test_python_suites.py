"""dbt-tests-adapter Python model suites, run with `submission_method: session` on local Spark."""

from __future__ import annotations

import pytest
from dbt.tests.adapter.python_model.test_python_model import (
    BasePythonEmptyTests,
    BasePythonIncrementalTests,
    BasePythonMetaGetTests,
    BasePythonModelTests,
)
from dbt.tests.adapter.python_model.test_spark import BasePySparkTests
from dbt.tests.util import run_dbt

# Run on classic Spark and over Spark Connect (see tests/conftest.py).
pytestmark = pytest.mark.both_session_kinds


class TestPythonModelsByDefault(BasePythonModelTests):
    """No submission_method: session mode picks `session` itself."""


class TestPythonModelsExplicitSession(BasePythonModelTests):
    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict:
        return {"models": {"+submission_method": "session"}}


class TestPythonIncrementalAppend(BasePythonIncrementalTests):
    # merge needs Delta, which local Spark lacks; append keeps the suite's expected row counts.
    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict:
        return {"models": {"+incremental_strategy": "append"}}


class TestPythonIncrementalInsertOverwrite(BasePythonIncrementalTests):
    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict:
        return {"models": {"+incremental_strategy": "insert_overwrite"}}

    def test_incremental(self, project) -> None:  # type: ignore[no-untyped-def]
        # insert_overwrite without partitions replaces the table with the new batch: after the
        # suite's steps the model holds exactly the rows of the last incremental run.
        run_dbt(["run"])
        relation = f"{project.database}.{project.test_schema}"
        assert project.run_sql(f"select count(*) from {relation}.incremental", fetch="one")[0] == 5
        project.run_sql(f"insert into {relation}.m_1(id) values (0), (6), (7)")
        run_dbt(["run", "-s", "incremental"])
        rows = project.run_sql(f"select id from {relation}.incremental order by id", fetch="all")
        assert [row[0] for row in rows] == [6, 7]


class TestPythonMetaGet(BasePythonMetaGetTests):
    pass


class TestPythonEmpty(BasePythonEmptyTests):
    pass


class TestPySparkDataFrames(BasePySparkTests):
    @pytest.fixture(scope="class")
    def models(self) -> dict:
        # koalas is the pre-Spark-3.2 pandas API and is not installable with pyspark 4.
        models = dict(super().models.__wrapped__(self))  # type: ignore[attr-defined]
        models.pop("koalas_df.py")
        return models

    def test_different_dataframes(self, project) -> None:  # type: ignore[no-untyped-def]
        results = run_dbt(["run"])
        assert len(results) == 3
