"""Relation changes (dbt.tests.adapter.relations): a model switching between view, table and
incremental, and the `drop_schema_named` operation."""

import pytest
from dbt.tests.adapter.relations.test_changing_relation_type import (
    BaseChangeRelationTypeValidator,
)
from dbt.tests.adapter.relations.test_dropping_schema_named import BaseDropSchemaNamed

# Replacing a view by a table (and back) is done differently on Delta (CREATE OR REPLACE) and on
# parquet (drop, then create): both legs run it.
pytestmark = [pytest.mark.delta, pytest.mark.parquet]


class TestChangeRelationTypes(BaseChangeRelationTypeValidator):
    pass


class TestDropSchemaNamed(BaseDropSchemaNamed):
    pass
