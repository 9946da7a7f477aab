from pathlib import Path
from typing import Any

import pytest
from dbt.tests.adapter.basic import expected_catalog
from dbt.tests.adapter.basic.test_adapter_methods import BaseAdapterMethod
from dbt.tests.adapter.basic.test_base import BaseSimpleMaterializations
from dbt.tests.adapter.basic.test_docs_generate import (
    BaseDocsGenerate,
    BaseDocsGenReferences,
    run_and_generate,
    verify_catalog,
)
from dbt.tests.adapter.basic.test_empty import BaseEmpty
from dbt.tests.adapter.basic.test_ephemeral import BaseEphemeral
from dbt.tests.adapter.basic.test_generic_tests import BaseGenericTests
from dbt.tests.adapter.basic.test_incremental import BaseIncremental
from dbt.tests.adapter.basic.test_singular_tests import BaseSingularTests
from dbt.tests.adapter.basic.test_singular_tests_ephemeral import BaseSingularTestsEphemeral
from dbt.tests.adapter.basic.test_table_materialization import BaseTableMaterialization
from dbt.tests.adapter.basic.test_validate_connection import BaseValidateConnection

# Run on classic Spark and over Spark Connect (see tests/conftest.py).
pytestmark = [pytest.mark.both_session_kinds, pytest.mark.parquet, pytest.mark.delta]


class TestSimpleMaterializations(BaseSimpleMaterializations):
    pass


class TestSingularTests(BaseSingularTests):
    pass


class TestSingularTestsEphemeral(BaseSingularTestsEphemeral):
    pass


class TestEmpty(BaseEmpty):
    pass


class TestEphemeral(BaseEphemeral):
    pass


class TestIncremental(BaseIncremental):
    pass


class TestGenericTests(BaseGenericTests):
    pass


class TestAdapterMethod(BaseAdapterMethod):
    pass


class TestValidateConnection(BaseValidateConnection):
    pass


class TestTableMaterialization(BaseTableMaterialization):
    pass


# -- docs generate ------------------------------------------------------------------------------
# The catalog comes from `DESCRIBE TABLE EXTENDED` in the Hive metastore (spark_catalog): Spark
# type names, lower-case relation types, the Spark user as owner, 0-based column indexes (as
# dbt-databricks reports them everywhere). Views and parquet tables have no statistics (nothing
# ran ANALYZE TABLE); a Delta table has its size and row count, from its log.

SPARK_TYPES = {
    "id_type": "bigint",  # seeds load integers as bigint
    "text_type": "string",
    "time_type": "timestamp",
    "view_type": "view",
    "table_type": "table",
}


@pytest.fixture(scope="class")
def spark_user(spark: Any) -> str:
    """The owner Spark records for the tables it creates."""
    return spark.sparkContext.sparkUser()


def stat(key: str, value: int) -> dict[str, Any]:
    # dbt-databricks gives an empty description, which the catalog table reads back as null.
    return {"id": key, "label": key, "value": value, "description": None, "include": True}


def delta_table_stats(project: Any, schema: str, name: str) -> dict[str, Any]:
    """What the catalog should say of a Delta table: Spark's own size and row count."""
    relation = f"spark_catalog.{schema}.{name}"
    size = project.run_sql(f"describe detail {relation}", fetch="one")[10]  # sizeInBytes
    rows = project.run_sql(f"select count(*) from {relation}", fetch="one")[0]
    has_stats = {**expected_catalog.no_stats()["has_stats"], "value": True}
    return {
        "bytes": stat("bytes", int(size)),
        "rows": stat("rows", int(rows)),
        "has_stats": has_stats,
    }


def verify_catalog_with_stats(
    project: Any, catalog: dict[str, Any], start_time: Any, table_format: str
) -> None:
    """dbt-tests-adapter's check, with each Delta table's statistics read from Spark after the
    build (views and parquet tables keep `no_stats`)."""
    for section in ("nodes", "sources"):
        for node in catalog[section].values():
            meta = node["metadata"]
            if table_format == "delta" and meta["type"] == "table":
                node["stats"] = delta_table_stats(project, meta["schema"], meta["name"])
    verify_catalog(project, catalog, start_time)


class TestDocsGenerate(BaseDocsGenerate):
    @pytest.fixture(scope="class")
    def expected_catalog(self, project: Any, spark_user: str) -> dict[str, Any]:
        return expected_catalog.base_expected_catalog(
            project, role=spark_user, model_stats=expected_catalog.no_stats(), **SPARK_TYPES
        )

    def test_run_and_generate_no_compile(
        self, project: Any, expected_catalog: dict[str, Any], table_format: str
    ) -> None:
        start_time = run_and_generate(project, ["--no-compile"])
        assert not (Path(project.project_root) / "target" / "manifest.json").exists()
        verify_catalog_with_stats(project, expected_catalog, start_time, table_format)

    def test_run_and_generate(
        self, project: Any, expected_catalog: dict[str, Any], table_format: str
    ) -> None:
        start_time = run_and_generate(project)
        verify_catalog_with_stats(project, expected_catalog, start_time, table_format)
        # The base test's asset checks (upstream's assets land in the test's working directory).
        assert (Path("target") / "assets" / "lorem-ipsum.txt").exists()
        assert not (Path("target") / "non-existent-assets").exists()


class TestDocsGenReferences(BaseDocsGenReferences):
    @pytest.fixture(scope="class")
    def expected_catalog(self, project: Any, spark_user: str) -> dict[str, Any]:
        catalog = expected_catalog.expected_references_catalog(
            project,
            role=spark_user,
            bigint_type="bigint",  # count(*)
            model_stats=expected_catalog.no_stats(),
            **SPARK_TYPES,
        )
        # dbt-tests-adapter numbers these columns from 1; dbt-databricks numbers from 0. Nodes
        # share their column dicts, so renumber each dict once.
        nodes = [node for section in catalog.values() for node in section.values()]
        columns = {id(col): col for node in nodes for col in node["columns"].values()}
        for column in columns.values():
            column["index"] -= 1
        return catalog

    def test_references(
        self, project: Any, expected_catalog: dict[str, Any], table_format: str
    ) -> None:
        start_time = run_and_generate(project)
        verify_catalog_with_stats(project, expected_catalog, start_time, table_format)
