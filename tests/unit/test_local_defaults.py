"""Every local Spark default the adapter sets (docs/performance.md measures each) can be
overridden by the profile's `spark_conf`, on parquet and on Delta; and the profile's other
settings are left as the user wrote them."""

from __future__ import annotations

import pytest

from dbt.adapters.databricks_session.spark import delta
from dbt.adapters.databricks_session.spark.local import DEFAULT_CONF, LocalSparkSettings

pytestmark = [pytest.mark.parquet, pytest.mark.delta]
# Delta's jars named by the profile: nothing is resolved, so no Ivy and no network.
USER_JARS = {"spark.jars": "/opt/jars/delta-spark_4.2_2.13-4.4.0.jar"}


@pytest.mark.parametrize("key", sorted(DEFAULT_CONF))
def test_each_local_default_can_be_overridden(key: str) -> None:
    assert LocalSparkSettings(local_dir="/tmp/x").spark_conf()[key] == DEFAULT_CONF[key]
    chosen = LocalSparkSettings(local_dir="/tmp/x", conf={key: "users-value"}).spark_conf()
    assert chosen[key] == "users-value"


@pytest.mark.parametrize("key", sorted(delta.LOCAL_DELTA_CONF))
def test_each_delta_default_can_be_overridden(key: str) -> None:
    settings = LocalSparkSettings(local_dir="/tmp/x", conf=dict(USER_JARS), table_format="delta")
    assert settings.startup_conf("java")[key] == delta.LOCAL_DELTA_CONF[key]
    conf = {**USER_JARS, key: "users-value"}
    chosen = LocalSparkSettings(local_dir="/tmp/x", conf=conf, table_format="delta")
    assert chosen.startup_conf("java")[key] == "users-value"


def test_a_delta_session_gets_the_local_defaults_too() -> None:
    settings = LocalSparkSettings(local_dir="/tmp/x", conf=dict(USER_JARS), table_format="delta")
    conf = settings.startup_conf("java")
    assert {key: conf[key] for key in DEFAULT_CONF} == DEFAULT_CONF
    assert conf["spark.sql.sources.default"] == "delta"
