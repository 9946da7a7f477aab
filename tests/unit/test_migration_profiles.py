"""The profiles docs/installing.md's "Moving over" section starts from, as users bring them."""

from __future__ import annotations

from tests.unit.test_profile_checks import build


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
