"""Turn PySpark / Py4J failures into one-line dbt errors that keep Spark's own message."""

from __future__ import annotations

from dbt_common.exceptions import DbtDatabaseError

# Py4J errors carry the whole JVM stack trace after the message; PySpark can append one too.
_JAVA_TRACE_MARKERS = ("\n\tat ", "\n\nJVM stacktrace:")


def spark_error_message(exc: BaseException) -> str:
    """Spark's message for `exc` without the JVM stack trace."""
    text = str(exc) or type(exc).__name__
    for marker in _JAVA_TRACE_MARKERS:
        text = text.split(marker, 1)[0]
    return text.strip()


def is_spark_error(exc: BaseException) -> bool:
    """True for the exceptions PySpark and Py4J raise (checked by module, so no import needed)."""
    module = type(exc).__module__ or ""
    return module.startswith(("pyspark.", "py4j."))


def as_database_error(exc: BaseException) -> DbtDatabaseError:
    return DbtDatabaseError(spark_error_message(exc))
