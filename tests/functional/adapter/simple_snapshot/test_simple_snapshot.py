"""dbt-tests-adapter's snapshot suites on local Spark with Delta.

dbt-databricks builds snapshots with MERGE, which only Delta tables take: every class here needs
Delta and skips in the parquet leg, where tests/functional/test_unsupported_features.py asserts
the one "Snapshots ... requires Delta Lake" error instead.

The suites set up their source and expected tables with Postgres SQL sent straight to the
database (`project.run_sql`), several statements to a string. `SparkSpelling` sends that SQL to
Spark one statement at a time with Spark's type names; dbt's own SQL is untouched.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from dbt.tests import util
from dbt.tests.adapter.basic.test_snapshot_check_cols import BaseSnapshotCheckCols
from dbt.tests.adapter.basic.test_snapshot_timestamp import BaseSnapshotTimestamp
from dbt.tests.adapter.simple_snapshot.fixtures import (
    create_seed_sql,
    create_snapshot_expected_sql,
    invalidate_sql,
    populate_snapshot_expected_valid_to_current_sql,
    seed_insert_sql,
    update_with_current_sql,
)
from dbt.tests.adapter.simple_snapshot.new_record_check_mode import BaseSnapshotNewRecordCheckMode
from dbt.tests.adapter.simple_snapshot.new_record_dbt_valid_to_current import (
    BaseSnapshotNewRecordDbtValidToCurrent,
)
from dbt.tests.adapter.simple_snapshot.new_record_timestamp_mode import (
    BaseSnapshotNewRecordTimestampMode,
)
from dbt.tests.adapter.simple_snapshot.test_ephemeral_snapshot_hard_deletes import (
    BaseSnapshotEphemeralHardDeletes,
    BaseSnapshotNewColumnSpecificCheckCols,
    BaseSnapshotNewColumnTimestampStrategy,
    BaseSnapshotNewColumnWithDeletes,
)
from dbt.tests.adapter.simple_snapshot.test_various_configs import (
    BaseSnapshotColumnNames,
    BaseSnapshotColumnNamesFromDbtProject,
    BaseSnapshotDbtValidToCurrent,
    BaseSnapshotInvalidColumnNames,
    BaseSnapshotMultiUniqueKey,
)

CURRENT = datetime.datetime(2099, 12, 31, 0, 0)  # the suite's dbt_valid_to_current


def valid_to_by_version(project: Any) -> dict[tuple[int, int], Any]:
    """(id, version number by test_valid_from) -> TEST_VALID_TO of snapshot_actual."""
    rows = project.run_sql(
        "select id, row_number() over (partition by id order by test_valid_from), TEST_VALID_TO"
        " from {schema}.snapshot_actual",
        fetch="all",
    )
    return {(row[0], row[1]): row[2] for row in rows}


pytestmark = [pytest.mark.delta, pytest.mark.usefixtures("delta_only")]

# Postgres spellings in the suites' setup SQL -> Spark's.
SPARK_SPELLINGS = [
    (re.compile(r"\bTEXT\b", re.IGNORECASE), "STRING"),
    (re.compile(r"\s+WITHOUT TIME ZONE", re.IGNORECASE), ""),
]


# dbt-databricks records `dbt_is_deleted` as a boolean, where the suites' checks compare it with
# the strings 'True' and 'False' (dbt's default macros write text): the checks read it so.
IS_DELETED_AS_TEXT = (
    re.compile(r"\bdbt_is_deleted from\b"),
    "initcap(cast(dbt_is_deleted as string)) as dbt_is_deleted from",
)


def spark_statements(sql: str) -> list[str]:
    for pattern, spelling in [*SPARK_SPELLINGS, IS_DELETED_AS_TEXT]:
        sql = pattern.sub(spelling, sql)
    return [statement for statement in sql.split(";") if statement.strip()]


class SparkSpelling:
    """Runs the suite's setup SQL on Spark: one statement per call, Spark type names."""

    @pytest.fixture(autouse=True)
    def _spark_spelling(self, project: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        run_sql = project.run_sql

        def run_spark_sql(sql: str, fetch: str | None = None) -> Any:
            result = None
            for statement in spark_statements(sql):
                result = run_sql(statement, fetch)
            return result

        monkeypatch.setattr(project, "run_sql", run_spark_sql)
        yield


# -- basic snapshot suites ------------------------------------------------------------------------


class TestSnapshotCheckCols(BaseSnapshotCheckCols):
    pass


class TestSnapshotTimestamp(BaseSnapshotTimestamp):
    pass


# -- snapshot_meta_column_names, dbt_valid_to_current, multi-column unique keys ----------------


class TestSnapshotColumnNames(SparkSpelling, BaseSnapshotColumnNames):
    pass


class TestSnapshotColumnNamesFromDbtProject(SparkSpelling, BaseSnapshotColumnNamesFromDbtProject):
    pass


class TestSnapshotInvalidColumnNames(SparkSpelling, BaseSnapshotInvalidColumnNames):
    pass


class TestSnapshotDbtValidToCurrent(SparkSpelling, BaseSnapshotDbtValidToCurrent):
    """The suite reads rows by position from a query without ORDER BY (Postgres' insertion
    order); Spark returns them in any order, so the same checks go by id and version."""

    def test_valid_to_current(self, project: Any) -> None:
        for sql in (create_seed_sql, create_snapshot_expected_sql, seed_insert_sql):
            project.run_sql(sql)
        project.run_sql(populate_snapshot_expected_valid_to_current_sql)
        util.run_dbt(["snapshot"])
        assert set(valid_to_by_version(project).values()) == {CURRENT}

        project.run_sql(invalidate_sql)
        project.run_sql(update_with_current_sql)
        util.run_dbt(["snapshot"])

        valid_to = valid_to_by_version(project)
        # id 10's first version ends when the second (updated an hour later) begins.
        assert valid_to[(10, 1)] == datetime.datetime(2016, 8, 20, 16, 44, 49)
        assert valid_to[(10, 2)] == CURRENT
        assert valid_to[(1, 1)] == CURRENT and (1, 2) not in valid_to
        util.check_relations_equal(project.adapter, ["snapshot_actual", "snapshot_expected"])


class TestSnapshotMultiUniqueKey(SparkSpelling, BaseSnapshotMultiUniqueKey):
    pass


# -- hard_deletes: new_record --------------------------------------------------------------------


class TestSnapshotNewRecordTimestampMode(SparkSpelling, BaseSnapshotNewRecordTimestampMode):
    pass


class TestSnapshotNewRecordCheckMode(SparkSpelling, BaseSnapshotNewRecordCheckMode):
    pass


class TestSnapshotNewRecordDbtValidToCurrent(SparkSpelling, BaseSnapshotNewRecordDbtValidToCurrent):
    pass


class EphemeralSource(SparkSpelling):
    """The ephemeral-source suites add a column with a DEFAULT; Delta refuses a DEFAULT on a
    column added to an existing table, so the column is added, then filled with that value."""

    @pytest.fixture(scope="class")
    def source_alter_sql(self) -> str:
        table = "{database}.{schema}.src_customers"
        return (
            f"alter table {table} add column dummy_column string;"
            f"update {table} set dummy_column = 'dummy_value'"
        )


class TestSnapshotEphemeralHardDeletes(EphemeralSource, BaseSnapshotEphemeralHardDeletes):
    pass


class TestSnapshotNewColumnTimestampStrategy(
    EphemeralSource, BaseSnapshotNewColumnTimestampStrategy
):
    pass


class TestSnapshotNewColumnSpecificCheckCols(
    EphemeralSource, BaseSnapshotNewColumnSpecificCheckCols
):
    pass


class TestSnapshotNewColumnWithDeletes(EphemeralSource, BaseSnapshotNewColumnWithDeletes):
    pass
