"""Turn PySpark / Py4J failures into one-line dbt errors that keep Spark's own message."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from dbt_common.exceptions import DbtDatabaseError, DbtRuntimeError

# Py4J errors carry the whole JVM stack trace after the message; PySpark can append one too.
_JAVA_TRACE_MARKERS = ("\n\nJVM stacktrace:", "\n\nDriver stacktrace:")
# Stack frames inside the text. The "Caused by: ..." lines between them stay: a failed task's
# real error (e.g. "Caused by: java.lang.NumberFormatException: ...") is only there.
_JAVA_FRAME = re.compile(r"^\t+(at |\.\.\. \d+ more)")


# Spark formats an error from its error-class files; Delta 4.4's jars lack some of its own classes
# (e.g. DELTA_MERGE_UNRESOLVED_EXPRESSION), and formatting them fails with this instead.
_MISSING_ERROR_CLASS = re.compile(r"Cannot find main error class '(\w+)'")


def spark_error_message(exc: BaseException) -> str:
    """Spark's message for `exc` without the JVM stack trace."""
    text = str(exc) or type(exc).__name__
    if _MISSING_ERROR_CLASS.search(text):
        text = _unformatted_error(exc) or text
    for marker in _JAVA_TRACE_MARKERS:
        text = text.split(marker, 1)[0]
    lines = [line for line in text.splitlines() if not _JAVA_FRAME.match(line)]
    return "\n".join(lines).strip()


def _unformatted_error(exc: BaseException) -> str | None:
    """`[ERROR_CLASS] key: value, ...` from the original Java exception, which pyspark was
    formatting when the missing error class failed it (it is the failure's context)."""
    cause: BaseException | None = exc.__context__
    while cause is not None:
        java = getattr(cause, "java_exception", None)
        try:
            error_class = java.getErrorClass() if java is not None else None
            if java is not None and error_class:
                parameters = dict(java.getMessageParameters())
                details = ", ".join(f"{key}: {value}" for key, value in parameters.items())
                return f"[{error_class}] {details}"
        except Exception:  # not a SparkThrowable: look further back
            pass
        cause = cause.__context__
    return None


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


@contextmanager
def spark_errors(cancelled: Callable[[], bool] = lambda: False) -> Iterator[None]:
    """PySpark, Py4J and gRPC failures inside the block become DbtDatabaseError."""
    try:
        yield
    except DbtRuntimeError:  # dbt's own errors, a database error or a closed connection's
        raise
    except Exception as exc:
        if is_spark_error(exc):
            raise as_database_error(exc) from exc
        if cancelled():  # Connect: the closed channel can fail the statement before its cancel
            raise DbtDatabaseError("The statement was cancelled with its connection.") from None
        raise
