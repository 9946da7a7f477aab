"""Seed suites. The expected-table SQL and type names are Spark's instead of Postgres'."""

import re
from pathlib import Path

import pytest
from dbt.tests.adapter.simple_seed import fixtures, seeds
from dbt.tests.adapter.simple_seed.test_seed import (
    BaseBasicSeedTests,
    BaseSeedConfigFullRefreshOff,
    BaseSeedConfigFullRefreshOn,
    BaseSeedCustomSchema,
    BaseSeedParsing,
    BaseSeedSpecificFormats,
    BaseSeedWithEmptyDelimiter,
    BaseSeedWithUniqueDelimiter,
    BaseSeedWithWrongDelimiter,
    BaseSimpleSeedEnabledViaConfig,
    BaseSimpleSeedWithBOM,
    BaseTestEmptySeed,
)
from dbt.tests.adapter.simple_seed.test_seed_type_override import BaseSimpleSeedColumnOverride
from dbt.tests.util import copy_file, read_file, rm_dir, run_dbt

SEEDS__EXPECTED_SQL = re.sub(
    # Spark's ANSI store assignment does not turn a string into a timestamp: type the literal.
    r"'(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)'",
    r"TIMESTAMP'\1'",
    seeds.seeds__expected_sql.replace("TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP")
    .replace("TEXT", "STRING")
    .replace('"', ""),  # Postgres-quoted column list; the names need no quoting
)

PROPERTIES__SCHEMA_YML = (
    fixtures.properties__schema_yml.replace("type: timestamp without time zone", "type: timestamp")
    .replace("type: text", "type: string")
    .replace("type: integer", "type: bigint")
)

pytestmark = [pytest.mark.parquet, pytest.mark.delta]
NO_CASCADE = (
    "expects dropping the seed table to drop the model built on it (DROP ... CASCADE); Spark "
    "has no cascading drop, so the dependent view survives"
)


def create_expected_table(project) -> None:
    for statement in SEEDS__EXPECTED_SQL.split(";"):
        if statement.strip():
            project.run_sql(statement)


class SparkExpectedTable:
    @pytest.fixture(scope="class", autouse=True)
    def setUp(self, project):
        create_expected_table(project)


class TestBasicSeedTests(SparkExpectedTable, BaseBasicSeedTests):
    @pytest.mark.skip(reason=NO_CASCADE)
    def test_simple_seed_full_refresh_flag(self, project):
        pass


class TestSeedConfigFullRefreshOn(SparkExpectedTable, BaseSeedConfigFullRefreshOn):
    @pytest.mark.skip(reason=NO_CASCADE)
    def test_simple_seed_full_refresh_config(self, project):
        pass


class TestSeedConfigFullRefreshOff(SparkExpectedTable, BaseSeedConfigFullRefreshOff):
    pass


class TestSeedCustomSchema(SparkExpectedTable, BaseSeedCustomSchema):
    @pytest.fixture(scope="class", autouse=True)
    def setUp(self, project):
        create_expected_table(project)
        yield
        project.run_sql(f"drop schema if exists {project.test_schema}_custom_schema cascade")


class TestSeedWithUniqueDelimiter(SparkExpectedTable, BaseSeedWithUniqueDelimiter):
    pass


class TestSeedWithWrongDelimiter(SparkExpectedTable, BaseSeedWithWrongDelimiter):
    pass


class TestSeedWithEmptyDelimiter(SparkExpectedTable, BaseSeedWithEmptyDelimiter):
    pass


class TestSimpleSeedEnabledViaConfig(BaseSimpleSeedEnabledViaConfig):
    pass


class TestSeedParsing(SparkExpectedTable, BaseSeedParsing):
    pass


class TestSimpleSeedWithBOM(BaseSimpleSeedWithBOM):
    @pytest.fixture(scope="class", autouse=True)
    def setUp(self, project):
        create_expected_table(project)
        # The base copies seed_bom.csv from the test's own directory: take dbt's copy.
        copy_file(
            str(Path(seeds.__file__).parent),
            "seed_bom.csv",
            project.project_root / Path("seeds") / "seed_bom.csv",
            "",
        )


class TestSeedSpecificFormats(BaseSeedSpecificFormats):
    # As dbt-databricks: no `seed.with.dots.csv`. The Hive metastore (spark_catalog, and
    # hive_metastore on Databricks) only accepts letters, digits and `_` in table names.
    @pytest.fixture(scope="class")
    def seeds(self, test_data_dir):
        big_seed_path = self._make_big_seed(test_data_dir)
        yield {
            "big_seed.csv": read_file(big_seed_path),
            "seed_unicode.csv": seeds.seed__unicode_csv,
        }
        rm_dir(test_data_dir)

    def test_simple_seed(self, project):
        results = run_dbt(["seed"])
        assert len(results) == 2


class TestEmptySeed(BaseTestEmptySeed):
    pass


class TestSimpleSeedColumnOverride(BaseSimpleSeedColumnOverride):
    @pytest.fixture(scope="class")
    def models(self):
        return {"schema.yml": PROPERTIES__SCHEMA_YML}

    @staticmethod
    def seed_enabled_types():
        return {"seed_id": "string", "birthday": "date"}

    @staticmethod
    def seed_tricky_types():
        return {
            "seed_id_str": "string",
            "looks_like_a_bool": "string",
            "looks_like_a_date": "string",
        }
