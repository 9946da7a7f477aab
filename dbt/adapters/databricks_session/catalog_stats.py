"""Table statistics for `dbt docs generate` where the metastore holds none: a Delta table's own
log knows its size and its row count.

Spark records statistics in a Hive metastore only after `ANALYZE TABLE` (and the local default
turns Hive's own gathering off: it wrote "0 rows" for every table). Delta keeps the size of
every file and, per file, the number of records it holds: `DESCRIBE DETAIL` sums the sizes, and
Delta answers `count(*)` from those per-file counts without reading a data file.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from dbt.adapters.databricks.column import DatabricksColumn
from dbt.adapters.databricks.logging import logger
from dbt_common.exceptions import DbtRuntimeError

if TYPE_CHECKING:
    from dbt.adapters.databricks.impl import DatabricksAdapter
    from dbt.adapters.databricks.relation import DatabricksRelation

# A line of SHOW TABLE EXTENDED's `information` column.
_DELTA_PROVIDER = re.compile(r"^Provider:\s*delta\s*$", re.MULTILINE | re.IGNORECASE)


def is_delta_table(information: str) -> bool:
    return bool(_DELTA_PROVIDER.search(information))


def delta_table_stats(adapter: DatabricksAdapter, relation: DatabricksRelation) -> dict[str, Any]:
    """The catalog's `bytes` and `rows` of a Delta table, in dbt-databricks' stats shape; none
    (and a debug line) where the table cannot be read, so the catalog still builds."""
    name = relation.render()
    try:
        _, detail = adapter.execute(f"describe detail {name}", fetch=True)
        _, count = adapter.execute(f"select count(*) from {name}", fetch=True)
        size, rows = int(detail.rows[0]["sizeInBytes"]), int(count.rows[0][0])
    except (DbtRuntimeError, IndexError, KeyError, TypeError, ValueError) as exc:
        logger.debug(f"No statistics for {name} in the catalog: {exc}")
        return {}
    return DatabricksColumn.convert_table_stats(f"{size} bytes, {rows} rows")
