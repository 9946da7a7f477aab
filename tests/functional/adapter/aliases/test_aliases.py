import pytest
from dbt.tests.adapter.aliases import fixtures
from dbt.tests.adapter.aliases.test_aliases import (
    BaseAliasErrors,
    BaseAliases,
    BaseSameAliasDifferentDatabases,
    BaseSameAliasDifferentSchemas,
)

# The fixture's default__string_literal uses Postgres' `'x'::text`; Spark has no `text` type.
MACROS__CAST_SQL = """
{% macro string_literal(s) -%}
  {{ adapter.dispatch('string_literal', macro_namespace='test')(s) }}
{%- endmacro %}

{% macro databricks__string_literal(s) -%}
    cast('{{ s }}' as string)
{%- endmacro %}
"""


class SparkMacros:
    @pytest.fixture(scope="class")
    def macros(self):
        return {
            "cast.sql": MACROS__CAST_SQL,
            "expect_value.sql": fixtures.MACROS__EXPECT_VALUE_SQL,
        }


class TestAliases(SparkMacros, BaseAliases):
    pass


class TestAliasErrors(SparkMacros, BaseAliasErrors):
    pass


class TestSameAliasDifferentSchemas(SparkMacros, BaseSameAliasDifferentSchemas):
    pass


class TestSameAliasDifferentDatabases(SparkMacros, BaseSameAliasDifferentDatabases):
    pass
