"""Relations: `spark_catalog` is the Hive metastore under another name."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from dbt.adapters.databricks.relation import DatabricksRelation

# Open-source Spark's only catalog; on Databricks the same name also means the Hive metastore.
SPARK_CATALOG = "spark_catalog"


@dataclass(frozen=True, eq=False, repr=False)
class DatabricksSessionRelation(DatabricksRelation):
    def is_hive_metastore(self) -> bool:
        if (self.database or "").lower() == SPARK_CATALOG:
            return not self.temporary
        return super().is_hive_metastore()

    @classmethod
    def of(cls, relation: DatabricksRelation) -> DatabricksSessionRelation:
        """The same relation as this class (upstream builds some with its own class)."""
        if isinstance(relation, cls):
            return relation
        values = {f.name: getattr(relation, f.name) for f in dataclasses.fields(relation) if f.init}
        return cls(**values)
