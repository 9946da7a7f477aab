"""dbt-tests-adapter's persist_docs suites, on Delta and (the parquet leg) on parquet tables.

Spark keeps table and column comments on every table format; the catalog reads them back from
DESCRIBE, so each suite checks what reached the table itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.adapter.persist_docs.test_persist_docs import (
    BasePersistDocs,
    BasePersistDocsAllColumnsMissing,
    BasePersistDocsColumnMissing,
    BasePersistDocsCommentOnQuotedColumn,
)
from dbt.tests.util import run_dbt

pytestmark = [pytest.mark.parquet, pytest.mark.delta]

NO_MISSING_COLUMN_WARNING = (
    "dbt-databricks' persist_docs skips columns missing from the table without dbt's default "
    "warning (method: dbsql does the same)"
)


class TestPersistDocs(BasePersistDocs):
    pass


class TestPersistDocsColumnMissing(BasePersistDocsColumnMissing):
    @pytest.mark.skip(reason=NO_MISSING_COLUMN_WARNING + "; test_missing_column checks the docs")
    def test_missing_column_warning(self, project: Any) -> None:
        pass


class TestPersistDocsAllColumnsMissing(BasePersistDocsAllColumnsMissing):
    def test_all_columns_missing_does_not_crash(self, project: Any) -> None:
        # The suite's run, less its check of dbt's default warning (see NO_MISSING_COLUMN_WARNING).
        results = run_dbt(["run"])
        assert [str(r.status) for r in results] == ["success"]


class TestPersistDocsCommentOnQuotedColumn(BasePersistDocsCommentOnQuotedColumn):
    pass
