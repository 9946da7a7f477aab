"""Where the Spark UI of a session is, for `dbt debug`: its address, or how to turn it on."""

from __future__ import annotations

from typing import Any

from dbt.adapters.databricks_session.spark import connect

ENABLE_HINT = (
    "off (local Spark starts without it; set `spark_conf: {spark.ui.enabled: 'true'}` in the "
    "profile to open it, by default at http://localhost:4040, while dbt runs)"
)


def spark_ui_line(spark: Any) -> str:
    """One line for `dbt debug`: the UI's address, or how to open it."""
    if connect.is_connect(spark):
        return "on the Spark Connect server's side (not in this process)"
    try:
        context = spark.sparkContext
        enabled = context.getConf().get("spark.ui.enabled", "true").lower() == "true"
        url = context.uiWebUrl if enabled else None
    except Exception:  # a stopped or unusual session: say nothing wrong
        return "unknown"
    return url or ENABLE_HINT
