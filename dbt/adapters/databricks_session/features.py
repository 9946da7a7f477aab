"""What the current session can do, and the one clear error for what it cannot.

Open-source Spark may lack Delta Lake (the parquet fallback, when its jars cannot be had) and
never has Databricks runtime or Unity Catalog services, so features built on them fail here
before any SQL is sent, naming the feature and the reason, instead of a Spark parser message.
"""

from __future__ import annotations

from typing import Any

from dbt_common.exceptions import DbtConfigError

from dbt.adapters.databricks_session.spark.handle import SessionHandle

# Model configs whose SQL only Delta tables accept.
DELTA_ONLY_CONFIGS = {
    "liquid_clustered_by": "Liquid clustering (`liquid_clustered_by`)",
    "auto_liquid_cluster": "Liquid clustering (`auto_liquid_cluster`)",
    "zorder": "Z-ordering (`zorder`)",
}
NO_DELTA = "which this Spark session does not have (open-source Spark without Delta Lake)"
NO_RUNTIME = "which this Spark session is not (open-source Spark)"


def require_delta(handle: SessionHandle | None, feature: str) -> None:
    if handle is not None and not handle.has_delta:
        raise DbtConfigError(
            f"{feature}: requires Delta Lake, {NO_DELTA}. Run it on a Databricks runtime, or "
            "leave it out of the local run (for example with a target-specific config)."
        )


def require_runtime(handle: SessionHandle | None, feature: str) -> None:
    if handle is not None and handle.runtime_version is None:
        raise DbtConfigError(
            f"{feature}: requires a Databricks runtime, {NO_RUNTIME}. Run it on Databricks, or "
            "leave it out of the local run (for example with a target-specific config)."
        )


UNITY_CATALOG_CONSTRAINTS = {"primary_key", "foreign_key"}
# Model configs whose SQL needs Unity Catalog (or, for grants, table access control): checked
# before the model builds, so a failing model leaves no table behind that the error says it lacks.
RUNTIME_ONLY_CONFIGS = {
    "grants": "Grants (Unity Catalog or table access control)",
    "databricks_tags": "Tags (`databricks_tags`, Unity Catalog only)",
    "row_filter": "Row filters (`row_filter`, Unity Catalog only)",
}
RUNTIME_ONLY_COLUMN_CONFIGS = {
    "column_mask": "Column masks (`column_mask`, Unity Catalog only)",
    "databricks_tags": "Column tags (`databricks_tags` on a column, Unity Catalog only)",
}


def check_model_configs(handle: SessionHandle | None, model: Any) -> None:
    """Fail on configs that need Delta or a runtime before a model's SQL is built."""
    config = getattr(model, "config", None)
    if handle is None or config is None or not hasattr(config, "get"):
        return
    if _constraint_types(model) & UNITY_CATALOG_CONSTRAINTS:
        require_runtime(
            handle, "Primary and foreign key constraints (Unity Catalog informational constraints)"
        )
    for feature in _runtime_only_features(model):
        require_runtime(handle, feature)
    if handle.has_delta:
        return
    for key, feature in DELTA_ONLY_CONFIGS.items():
        if config.get(key):
            require_delta(handle, feature)
    if config.get("persist_constraints") or _has_enforced_constraints(model):
        require_delta(handle, "Constraints (enforced model contract with constraints)")


def _runtime_only_features(model: Any) -> list[str]:
    """The Unity Catalog / runtime features a model's config asks for (empty values ask none)."""
    config = model.config
    wanted = [name for key, name in RUNTIME_ONLY_CONFIGS.items() if _asks(key, config.get(key))]
    for column in (getattr(model, "columns", None) or {}).values():
        settings = _column_settings(column)
        for key, feature in RUNTIME_ONLY_COLUMN_CONFIGS.items():
            if settings.get(key) and feature not in wanted:
                wanted.append(feature)
    return wanted


def _asks(key: str, value: Any) -> bool:
    """`grants: {select: []}` grants nothing (it revokes, and open-source Spark has no grants to
    revoke), so only a privilege with grantees asks for grants."""
    if key == "grants" and isinstance(value, dict):
        return any(value.values())
    return bool(value)


def _column_settings(column: Any) -> dict[str, Any]:
    """A column's `config:` and its own keys (`column_mask:` beside `name:` lands in extras)."""
    config: Any = getattr(column, "config", None) or {}
    settings = dict(config.to_dict() if hasattr(config, "to_dict") else config)
    settings.update(getattr(column, "_extra", None) or {})
    return settings


def _constraint_types(model: Any) -> set[str]:
    if not _has_enforced_constraints(model):
        return set()
    columns = getattr(model, "columns", None) or {}
    constraints = [*(getattr(model, "constraints", None) or [])]
    for column in columns.values():
        constraints.extend(getattr(column, "constraints", None) or [])
    return {str(getattr(c.type, "value", c.type)) for c in constraints if hasattr(c, "type")}


def _has_enforced_constraints(model: Any) -> bool:
    contract = model.config.get("contract")
    enforced = getattr(contract, "enforced", None) or (
        isinstance(contract, dict) and contract.get("enforced")
    )
    if not enforced:
        return False
    columns = getattr(model, "columns", None) or {}
    column_constraints = any(getattr(c, "constraints", None) for c in columns.values())
    return bool(getattr(model, "constraints", None)) or column_constraints


# The dbt commands that build models: `retry` repeats one of them.
BUILDING_COMMANDS = {"run", "build", "retry"}
MICROBATCH = "The incremental strategy 'microbatch'"


def builds_in_batches(node: Any, command: str | None) -> bool:
    """Whether this command builds `node` as a microbatch model, batch by batch.

    dbt runs each batch as its own materialization: a first batch failing on a missing feature
    would fail alone and mark every other batch SKIP, one console line each (a thousand for a
    few years of daily batches), and end with the bare message `ERROR`. So a microbatch model is
    checked once, before dbt splits it.
    """
    config = getattr(node, "config", None)
    if command not in BUILDING_COMMANDS or config is None or not hasattr(config, "get"):
        return False
    return bool(
        config.get("materialized") == "incremental"
        and config.get("incremental_strategy") == "microbatch"
    )


def require_dbsql(session_mode: bool, feature: str) -> None:
    if session_mode:
        raise DbtConfigError(
            f"{feature} are created and refreshed by Databricks SQL (a SQL warehouse and its "
            "pipelines), which `method: session` does not use. Build these models from a "
            "`method: dbsql` target."
        )
