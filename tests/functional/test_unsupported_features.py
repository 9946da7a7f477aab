"""Features a local Spark cannot provide fail with one clear dbt error each.

Without Delta (the parquet leg) every Delta feature fails so; with Delta (the default leg) the
Delta features build, and what needs a Databricks runtime or Unity Catalog still fails clearly.
"""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.util import run_dbt

SELECT = "select 1 as id, 'a' as name"

MODELS = {
    "explicit_delta.sql": "{{ config(materialized='table', file_format='delta') }} " + SELECT,
    "merge_strategy.sql": (
        "{{ config(materialized='incremental', incremental_strategy='merge', unique_key='id') }} "
        + SELECT
    ),
    "merge_by_default.sql": "{{ config(materialized='incremental', unique_key='id') }} " + SELECT,
    "replace_where.sql": (
        "{{ config(materialized='incremental', incremental_strategy='replace_where',"
        " incremental_predicates=['id > 0']) }} " + SELECT
    ),
    "liquid.sql": "{{ config(materialized='table', liquid_clustered_by=['id']) }} " + SELECT,
    "zordered.sql": "{{ config(materialized='table', zorder=['id']) }} " + SELECT,
    "constrained.sql": SELECT,
    "granted.sql": "{{ config(materialized='table', grants={'select': ['analysts']}) }} " + SELECT,
    "mat_view.sql": "{{ config(materialized='materialized_view') }} " + SELECT,
    "stream.sql": "{{ config(materialized='streaming_table') }} " + SELECT,
    "tagged.sql": "{{ config(materialized='table', databricks_tags={'team': 'a'}) }} " + SELECT,
    "filtered.sql": (
        "{{ config(materialized='table', row_filter={'function': 'main.s.only_mine',"
        " 'columns': ['name']}) }} " + SELECT
    ),
    "masked.sql": "{{ config(materialized='table') }} " + SELECT,
    "typo_strategy.sql": (
        "{{ config(materialized='incremental', incremental_strategy='mrege') }} " + SELECT
    ),
}

SCHEMA_YML = """
models:
  - name: constrained
    config:
      materialized: table
      contract: {enforced: true}
    columns:
      - name: id
        data_type: int
        constraints: [{type: not_null}]
      - name: name
        data_type: string
  - name: masked
    columns:
      - name: name
        column_mask: {function: main.s.hide}
"""

SNAPSHOT = """
{% snapshot snap %}
{{ config(unique_key='id', strategy='check', check_cols='all', target_schema=target.schema) }}
select 1 as id
{% endsnapshot %}
"""

# model name -> words the single error message must contain, without Delta
EXPECTED_WITHOUT_DELTA = {
    "explicit_delta": ["file_format 'delta'", "Delta Lake"],
    "merge_strategy": ["The incremental strategy 'merge'", "Delta Lake"],
    "merge_by_default": ["The incremental strategy 'merge'", "Delta Lake"],
    "replace_where": ["The incremental strategy 'replace_where'", "Delta Lake"],
    "liquid": ["Liquid clustering", "Delta Lake"],
    "zordered": ["Z-ordering", "Delta Lake"],
    "constrained": ["Constraints", "Delta Lake"],
    "granted": ["Grants", "Databricks runtime"],
    "mat_view": ["Materialized views", "method: dbsql"],
    "stream": ["Streaming tables", "method: dbsql"],
    "tagged": ["Tags", "Unity Catalog"],
    "filtered": ["Row filters", "Unity Catalog"],
    "masked": ["Column masks", "Unity Catalog"],
    # A first run: upstream checks a strategy's macro only when there is a table to merge into.
    "typo_strategy": ["get_incremental_mrege_sql"],
    "snap": ["Snapshots", "Delta Lake"],
}
NEEDS_RUNTIME = ("granted", "mat_view", "stream", "tagged", "filtered", "masked", "typo_strategy")
EXPECTED_WITH_DELTA = {name: EXPECTED_WITHOUT_DELTA[name] for name in NEEDS_RUNTIME}

pytestmark = [pytest.mark.parquet, pytest.mark.delta]


class TestUnsupportedFeaturesFailClearly:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {**MODELS, "schema.yml": SCHEMA_YML}

    @pytest.fixture(scope="class")
    def snapshots(self) -> dict[str, str]:
        return {"snap.sql": SNAPSHOT}

    def test_each_feature_fails_with_its_own_message(self, project: Any, table_format: str) -> None:
        expected = EXPECTED_WITH_DELTA if table_format == "delta" else EXPECTED_WITHOUT_DELTA
        results = run_dbt(["build"], expect_pass=False)
        messages = {result.node.name: result.message or "" for result in results}
        statuses = {result.node.name: str(result.status) for result in results}
        assert set(expected) <= set(messages), messages.keys()
        for name, words in expected.items():
            message = messages[name]
            for word in words:
                assert word in message, f"{name}: {message!r} lacks {word!r}"
            # A Spark parser or analysis message would mean the SQL was sent after all.
            assert "PARSE_SYNTAX_ERROR" not in message and "SQLSTATE" not in message, message
        assert all(statuses[name] == "error" for name in expected), statuses
        built = set(EXPECTED_WITHOUT_DELTA) - set(expected)
        assert all(statuses[name] in ("success", "pass") for name in built), statuses
        # Checked before any SQL: a model that fails so leaves no table behind.
        tables = {
            row[1] for row in project.run_sql(f"show tables in {project.test_schema}", fetch="all")
        }
        assert not tables & set(expected), tables & set(expected)
