"""Hide secret-looking values before anything prints or logs them (`dbt debug`, errors).

A value is hidden when its key looks like a secret's (`spark.hadoop.fs.s3a.secret.key`,
`...token`, `password`, `credential`, ...), or when the value itself looks like a credential
(a Databricks personal access token, a `token=` in a Spark Connect URL). Mappings are walked, so
`spark_conf`, `session_properties` and `connection_parameters.http_headers` are covered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "<redacted>"
SECRET_KEY = re.compile(
    r"(secret|token|passw(or)?d|pwd|credential|private|(^|[._-])key($|[._-])|access[._-]?key|"
    r"api[._-]?key|authoriz|sas|signature|cookie)",
    re.IGNORECASE,
)
_SECRET_VALUE = re.compile(r"\bdapi[0-9a-f]{16,}(-\d+)?\b|\beyJ[\w-]{10,}\.[\w-]+\.[\w-]+")
_TOKEN_IN_TEXT = re.compile(r"((?:^|[;&?\s])token=)[^;&\s]*", re.IGNORECASE)


def is_secret_key(key: Any) -> bool:
    return bool(SECRET_KEY.search(str(key)))


def redact_text(text: str) -> str:
    """`text` with credential-looking parts replaced."""
    return _TOKEN_IN_TEXT.sub(rf"\g<1>{REDACTED}", _SECRET_VALUE.sub(REDACTED, text))


def redact_value(key: Any, value: Any) -> Any:
    """`value` (under `key`) with every secret-looking part replaced, mappings walked."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {name: redact_value(name, item) for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(key, item) for item in value)
    if is_secret_key(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    return value
