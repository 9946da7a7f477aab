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
from dbt.tests.adapter.basic.test_get_catalog_for_single_relation import (
    BaseGetCatalogForSingleRelation,
)
from dbt.tests.adapter.basic.test_incremental import BaseIncremental
from dbt.tests.adapter.basic.test_singular_tests import BaseSingularTests
from dbt.tests.adapter.basic.test_singular_tests_ephemeral import BaseSingularTestsEphemeral
from dbt.tests.adapter.basic.test_table_materialization import BaseTableMaterialization
from dbt.tests.adapter.basic.test_validate_connection import BaseValidateConnection
from dbt.tests.util import get_connection, run_dbt
from dbt_common.contracts.metadata import CatalogTable, ColumnMetadata, StatsItem, TableMetadata

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


# Each catalog row has every column upstream types as text; a missing one was an agate
# RuntimeWarning on the console for each schema.
NO_CATALOG_TYPING_WARNINGS = pytest.mark.filterwarnings(
    "error:.*does not match the name of any column:RuntimeWarning"
)


@NO_CATALOG_TYPING_WARNINGS
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


# -- one relation's catalog entry ----------------------------------------------------------------


def single_relation_catalog(
    project: Any, name: str, kind: str, owner: str, stats: dict[str, Any]
) -> CatalogTable:
    """What `get_catalog_for_single_relation` should say of the suite's seed or its view: the
    seed's columns in Spark's types, indexed from 0, and the statistics `dbt docs` shows."""
    types = ("bigint", "string", "string", "string", "timestamp")
    names = ("id", "first_name", "email", "ip_address", "updated_at")
    return CatalogTable(
        metadata=TableMetadata(
            type=kind, schema=project.test_schema, name=name, database="spark_catalog", owner=owner
        ),
        columns={
            column: ColumnMetadata(type=dtype, index=index, name=column)
            for index, (column, dtype) in enumerate(zip(names, types))
        },
        stats={key: StatsItem(**value) for key, value in stats.items()},
    )


@NO_CATALOG_TYPING_WARNINGS
class TestGetCatalogForSingleRelation(BaseGetCatalogForSingleRelation):
    """The suite's own steps; each expectation is built after its relation is, because a Delta
    table's size is known only then."""

    def test_get_catalog_for_single_relation(  # type: ignore[override]
        self, project: Any, spark_user: str, table_format: str
    ) -> None:
        assert len(run_dbt(["seed"])) == 1
        seed = self.get_relation_for_identifier(project, "my_seed")
        seed_stats = expected_catalog.no_stats()
        if table_format == "delta":
            seed_stats = delta_table_stats(project, project.test_schema, "my_seed")
        expected = single_relation_catalog(project, "my_seed", "table", spark_user, seed_stats)
        with get_connection(project.adapter):
            assert project.adapter.get_catalog_for_single_relation(seed) == expected

        assert len(run_dbt(["run"])) == 2
        view = self.get_relation_for_identifier(project, "my_view_model")
        no_stats = expected_catalog.no_stats()
        expected = single_relation_catalog(project, "my_view_model", "view", spark_user, no_stats)
        with get_connection(project.adapter):
            assert project.adapter.get_catalog_for_single_relation(view) == expected
