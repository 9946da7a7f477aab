"""Turn PySpark / Py4J failures into one-line dbt errors that keep Spark's own message."""

from __future__ import annotations

import re

from dbt_common.exceptions import DbtDatabaseError

# Py4J errors carry the whole JVM stack trace after the message; PySpark can append one too.
_JAVA_TRACE_MARKERS = ("\n\nJVM stacktrace:", "\n\nDriver stacktrace:")
# Stack frames inside the text. The "Caused by: ..." lines between them stay: a failed task's
# real error (e.g. "Caused by: java.lang.NumberFormatException: ...") is only there.
_JAVA_FRAME = re.compile(r"^\t+(at |\.\.\. \d+ more)")


def spark_error_message(exc: BaseException) -> str:
    """Spark's message for `exc` without the JVM stack trace."""
    text = str(exc) or type(exc).__name__
    for marker in _JAVA_TRACE_MARKERS:
        text = text.split(marker, 1)[0]
    lines = [line for line in text.splitlines() if not _JAVA_FRAME.match(line)]
    return "\n".join(lines).strip()


def is_spark_error(exc: BaseException) -> bool:
    """True for the exceptions PySpark, Py4J and gRPC (Spark Connect) raise (checked by module,
    so no import needed)."""
    module = type(exc).__module__ or ""
    return module.startswith(("pyspark.", "py4j.", "grpc."))


# The embedded Hive metastore (Derby) stores a view's SQL in a LONG VARCHAR of 32,700 characters.
_DERBY_VIEW_TEXT_TOO_LONG = "A truncation error was encountered trying to shrink LONG VARCHAR"
DERBY_LONG_VARCHAR_LIMIT = 32700


def as_database_error(exc: BaseException) -> DbtDatabaseError:
    message = spark_error_message(exc)
    if _DERBY_VIEW_TEXT_TOO_LONG in message and "VIEW_ORIGINAL_TEXT" in message:
        message = (
            "This view's SQL is too long for the local Spark metastore: its embedded Derby "
            f"database stores at most {DERBY_LONG_VARCHAR_LIMIT:,} characters of view text. "
            "Materialize the model as a table, or shorten its SQL."
        )
    return DbtDatabaseError(message)
