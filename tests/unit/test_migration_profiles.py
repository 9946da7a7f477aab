"""The profiles docs/installing.md's "Moving over" section starts from, as users bring them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dbt_common.events.event_manager_client import get_event_manager

from tests.unit.test_profile_checks import build


@pytest.fixture
def warnings_seen() -> Iterator[list[str]]:
    seen: list[str] = []

    def collect(event: Any) -> None:
        if event.info.level == "warn":
            seen.append(event.info.msg)

    manager = get_event_manager()
    manager.add_callback(collect)
    yield seen
    manager.callbacks.remove(collect)


def test_dbt_spark_session_profile_names_server_side_parameters(
    warnings_seen: list[str],
) -> None:
    """dbt-spark's `method: session` target with only `type` changed."""
    creds = build(
        {
            "method": "session",
            "host": "NA",
            "schema": "analytics",
            "server_side_parameters": {"spark.sql.shuffle.partitions": "4"},
        }
    )
    assert creds.method == "session"
    assert creds.session_properties in (None, {})
    out = "\n".join(warnings_seen)
    assert "Profile key `server_side_parameters` is unknown" in out
    assert "is ignored" in out


def test_dbt_spark_settings_moved_to_session_properties(warnings_seen: list[str]) -> None:
    creds = build(
        {
            "method": "session",
            "schema": "analytics",
            "session_properties": {"spark.sql.shuffle.partitions": "4"},
        }
    )
    assert creds.session_properties == {"spark.sql.shuffle.partitions": "4"}
    assert warnings_seen == []


def test_dbt_databricks_profile_with_method_session_added(warnings_seen: list[str]) -> None:
    """A plain dbt-databricks target, `type` changed and `method: session` added."""
    creds = build(
        {
            "method": "session",
            "host": "adb-123.azuredatabricks.net",
            "http_path": "/sql/1.0/warehouses/abc",
            "token": "dapi0123456789abcdef",
            "catalog": "main",
            "schema": "analytics",
        }
    )
    assert creds.method == "session"
    assert creds.database == "main"
    assert warnings_seen == []
