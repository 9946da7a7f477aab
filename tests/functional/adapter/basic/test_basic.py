from typing import Any

import pytest
from dbt.tests.adapter.basic import expected_catalog
from dbt.tests.adapter.basic.test_adapter_methods import BaseAdapterMethod
from dbt.tests.adapter.basic.test_base import BaseSimpleMaterializations
from dbt.tests.adapter.basic.test_docs_generate import BaseDocsGenerate, BaseDocsGenReferences
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
# dbt-databricks reports them everywhere), and no statistics (nothing ran ANALYZE TABLE).

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


class TestDocsGenerate(BaseDocsGenerate):
    @pytest.fixture(scope="class")
    def expected_catalog(self, project: Any, spark_user: str) -> dict[str, Any]:
        return expected_catalog.base_expected_catalog(
            project, role=spark_user, model_stats=expected_catalog.no_stats(), **SPARK_TYPES
        )


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
