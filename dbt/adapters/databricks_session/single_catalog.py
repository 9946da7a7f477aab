"""One relation's docs-catalog entry (`adapter.get_catalog_for_single_relation`), built from the
rows `dbt docs generate` reads for it: the same comments, column types and statistics.

dbt-databricks does not implement the method; in session mode it answers from the catalog
rows our adapter already corrects (impl.parse_columns_from_information).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dbt_common.contracts.metadata import (
    CatalogTable,
    ColumnMetadata,
    StatsDict,
    StatsItem,
    TableMetadata,
)

_STATS_FIELDS = ("label", "value", "description", "include")


def catalog_table(rows: Iterable[Mapping[str, Any]]) -> CatalogTable | None:
    """The relation's entry from its catalog rows (one per column), or None without rows."""
    rows = list(rows)
    if not rows:
        return None
    first = rows[0]
    metadata = TableMetadata(
        type=str(first["table_type"]),
        schema=str(first["table_schema"]),
        name=str(first["table_name"]),
        database=_text(first.get("table_database")),
        comment=_text(first.get("table_comment")),
        owner=_text(first.get("table_owner")),
    )
    columns = {
        str(row["column_name"]): ColumnMetadata(
            type=str(row["column_type"]),
            index=int(row["column_index"]),
            name=str(row["column_name"]),
            comment=_text(row.get("column_comment")),
        )
        for row in rows
    }
    return CatalogTable(metadata=metadata, columns=columns, stats=_stats(first))


def _stats(row: Mapping[str, Any]) -> StatsDict:
    """dbt's `stats:<id>:<field>` columns as StatsItems, plus `has_stats` (as dbt docs does)."""
    ids = {key.split(":")[1] for key in row if key.startswith("stats:")}
    stats: StatsDict = {}
    for stat_id in sorted(ids):
        field = {name: row.get(f"stats:{stat_id}:{name}") for name in _STATS_FIELDS}
        if field["include"]:
            stats[stat_id] = StatsItem(
                id=stat_id,
                label=str(field["label"]),
                value=field["value"],
                include=True,
                description=_text(field["description"]),
            )
    stats["has_stats"] = StatsItem(
        id="has_stats",
        label="Has Stats?",
        value=bool(stats),
        description="Indicates whether there are statistics for this table",
        include=False,
    )
    return stats


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
