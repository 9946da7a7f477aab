"""Checks of a `databricks_session` profile before dbt builds its credentials.

dbt ignores profile keys it does not know, and its schema check says only "is not valid under
any of the given schemas" for a mapping given as text. These checks name the key and the fix:

- an unknown key is reported with the nearest valid key: a warning, or an error when the key it
  resembles decides where data goes (ignoring `catalgo:` would build into another catalog);
- `session_properties` and `spark_conf` must be mappings of plain values;
- `spark_master` must be a master Spark accepts, `spark_conf` keys must start with `spark.`, and
  memory sizes must be sizes Java accepts (otherwise the JVM exits with its own message).

The valid keys are the credentials dataclass's fields (and aliases), so a new field is known as
soon as it exists.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from dbt.adapters.databricks.logging import logger
from dbt_common.exceptions import DbtValidationError

# Keys dbt itself reads from a target (popped before the credentials see them, except in tests).
DBT_TARGET_KEYS = ("type", "threads")
# Keys that decide where tables are written or read: a typo there is an error, not a warning.
PLACEMENT_KEYS = frozenset(
    {
        "database",
        "catalog",
        "schema",
        "method",
        "host",
        "http_path",
        "compute",
        "spark_local_dir",
        "spark_remote",
        "databricks_profile",
    }
)
MAPPING_KEYS = ("session_properties", "spark_conf")
# What Spark accepts as `master` (SparkSubmit refuses anything else, after starting Java).
_MASTER = re.compile(
    r"^(local(\[(\*|[1-9]\d*)(,\s*[1-9]\d*)?\])?|local-cluster\[\d+,\s*\d+,\s*\d+\]"
    r"|spark://\S+|k8s://\S+|yarn)$"
)
# Java's -Xmx / Spark's byte strings: a whole number with an optional unit.
_SIZE = re.compile(r"^\d+\s*([kmgtp]b?|b)?$", re.IGNORECASE)
_SIZE_KEY = re.compile(r"^spark\..*(\.memory|\.memoryOverhead|\.maxResultSize|offHeap\.size)$")
_SCALAR = (str, int, float, bool)


def known_keys(credentials_class: type) -> frozenset[str]:
    """Every key a profile target may have: the dataclass's fields and their aliases."""
    fields = {field.name for field in dataclasses.fields(credentials_class)}
    aliases = set(getattr(credentials_class, "_ALIASES", {}) or {})
    # Private fields (`_credentials_manager`) come back when dbt re-checks serialized credentials.
    return frozenset(fields | aliases | set(DBT_TARGET_KEYS))


def public_keys(known: Iterable[str]) -> list[str]:
    return sorted(key for key in known if not key.startswith("_"))


def nearest(key: str, candidates: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(key, sorted(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def check_profile(
    data: Mapping[str, Any], known: frozenset[str], aliases: Mapping[str, str] | None = None
) -> None:
    """Raise one clear error for the first malformed value; warn about unknown keys."""
    check_unknown_keys(data, known, aliases or {})
    check_values(data)


def check_unknown_keys(
    data: Mapping[str, Any], known: frozenset[str], aliases: Mapping[str, str]
) -> None:
    for key in sorted(str(key) for key in data if key not in known):
        guess = nearest(key, public_keys(known))
        given = guess in data or aliases.get(guess or "") in data
        if guess in PLACEMENT_KEYS and not given:
            raise DbtValidationError(
                f"Unknown profile key `{key}`: did you mean `{guess}`? Ignoring it would change "
                f"where dbt reads and writes tables, so fix the key in profiles.yml."
            )
        hint = f" (did you mean `{guess}`?)" if guess else ""
        logger.warning(
            f"Profile key `{key}` is unknown to the databricks_session adapter and is "
            f"ignored{hint}. Fix or remove it in profiles.yml."
        )


def check_values(data: Mapping[str, Any]) -> None:
    """The checks of values: also run when credentials are built without dbt's schema check."""
    for key in MAPPING_KEYS:
        check_mapping(key, data.get(key))
    master = data.get("spark_master")
    if master is not None:
        check_master(master)
    conf = data.get("spark_conf")
    if isinstance(conf, Mapping):
        check_spark_conf(conf)


def check_mapping(key: str, value: Any) -> None:
    if value is None:
        return
    example = "spark.sql.shuffle.partitions: 8"
    if not isinstance(value, Mapping):
        kind = "text" if isinstance(value, str) else type(value).__name__
        raise DbtValidationError(
            f"`{key}` must be a mapping of Spark settings, one `name: value` per line, but it is "
            f"{kind}: {_shown(key, value)}. Write it as\n  {key}:\n    {example}"
        )
    for name, item in value.items():
        if not isinstance(name, str) or not (isinstance(item, _SCALAR) or item is None):
            raise DbtValidationError(
                f"`{key}.{name}` must be a single value (text, number or true/false), got "
                f"{type(item).__name__}. Spark settings are flat: write `{key}: {{{name}: ...}}` "
                "with one value per setting."
            )


def check_master(master: Any) -> None:
    text = str(master).strip()
    if not _MASTER.match(text):
        raise DbtValidationError(
            f"`spark_master: {master}` is not a Spark master. Use `local[*]` (all cores, the "
            "default), `local[N]` (N cores) or `spark://host:port`, or remove the key."
        )


def check_spark_conf(conf: Mapping[str, Any]) -> None:
    for name, value in conf.items():
        if not str(name).startswith("spark."):
            raise DbtValidationError(
                f"`spark_conf` key `{name}` does not start with `spark.`, so Spark would ignore "
                f"it. Did you mean `spark.{name}`?"
            )
        if _SIZE_KEY.match(str(name)) and not _SIZE.match(str(value).strip()):
            raise DbtValidationError(
                f"`spark_conf.{name}: {value}` is not a size. Use a whole number with a unit, "
                "for example `4g` or `512m`."
            )


def _shown(key: str, value: Any) -> str:
    from dbt.adapters.databricks_session.redaction import redact_value

    text = repr(redact_value(key, value))
    return text if len(text) <= 80 else text[:77] + "..."
