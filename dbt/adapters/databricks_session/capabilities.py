"""Which of upstream's version-gated SQL a session accepts.

dbt-databricks gates newer SQL on the Databricks runtime version, and with no version (open-source
Spark) it takes the oldest fallback for everything, even where Spark has the newer SQL. Open-source
Spark is its own case here: a Databricks runtime keeps upstream's table; open-source Spark (with
or without Delta Lake) gets the capabilities its own SQL has, from the Spark version each appeared
in. Each entry is checked on local Spark by tests/functional/test_capabilities.py.
"""

from __future__ import annotations

from dbt.adapters.databricks.dbr_capabilities import DBRCapabilities, DBRCapability

# capability -> the first open-source Spark version whose SQL has it.
OPEN_SOURCE_SPARK: dict[DBRCapability, tuple[int, int]] = {
    DBRCapability.TIMESTAMPDIFF: (3, 3),  # timestampadd / timestampdiff
    DBRCapability.INSERT_BY_NAME: (3, 5),  # INSERT INTO ... BY NAME
    # INSERT INTO ... BY NAME REPLACE WHERE (Delta tables); measured on Spark 4.2.
    DBRCapability.INSERT_BY_NAME_REPLACE_WHERE: (4, 2),
}
# What every session has, whatever it turns out to be (Databricks runtimes from 10.4, open-source
# Spark from 3.3): true at parse time, before any session exists. Upstream's parse-time False
# makes its dateadd/datediff call `spark__dateadd` by bare name, which a package overriding that
# macro (spark_utils) turns into endless recursion.
EVERY_SESSION = frozenset({DBRCapability.TIMESTAMPDIFF})


def spark_version_tuple(version: str) -> tuple[int, int]:
    parts = (version.split(".") + ["0"])[:2]
    try:
        return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)
    except ValueError:
        return (0, 0)


class SessionCapabilities(DBRCapabilities):
    """Upstream's capabilities on a Databricks runtime; open-source Spark's own otherwise."""

    def __init__(self, dbr_version: tuple[int, int] | None, spark_version: str) -> None:
        super().__init__(dbr_version=dbr_version, is_sql_warehouse=False)
        self.spark_version = spark_version_tuple(spark_version)

    def _compute_capability(self, capability: DBRCapability) -> bool:
        if self.dbr_version is not None:
            return super()._compute_capability(capability)
        first = OPEN_SOURCE_SPARK.get(capability)
        return first is not None and self.spark_version >= first


def has_at_parse_time(capability_name: str) -> bool:
    try:
        return DBRCapability(capability_name.lower()) in EVERY_SESSION
    except ValueError:
        return False
