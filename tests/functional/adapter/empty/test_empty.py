"""`--empty` runs (dbt.tests.adapter.empty): refs and sources, inline source refs, and seeds."""

from importlib.metadata import version

import pytest
from dbt.tests.adapter.empty.test_empty import (
    BaseTestEmpty,
    BaseTestEmptyInlineSourceRef,
    BaseTestEmptySeedFlag,
)

DBT_CORE_VERSION = version("dbt-core")
DBT_CORE = tuple(int(part) for part in DBT_CORE_VERSION.split(".")[:2])

# `--empty` wraps refs in `where false limit 0` subqueries and seeds create empty tables: both
# run on the parquet fallback as on Delta.
pytestmark = [pytest.mark.delta, pytest.mark.parquet]


class TestEmpty(BaseTestEmpty):
    pass


class TestEmptyInlineSourceRef(BaseTestEmptyInlineSourceRef):
    pass


@pytest.mark.skipif(
    DBT_CORE < (1, 12),
    reason="`dbt seed --empty` arrives in dbt-core 1.12 (dbt-core#12716); dbt-core "
    f"{DBT_CORE_VERSION} has no such option (it fails with 'No such option --empty')",
)
class TestEmptySeedFlag(BaseTestEmptySeedFlag):
    pass
