"""Exact Spark SQL literals for `%s` bindings.

Seeds reach Spark as `insert ... values (%s, ...)` with Python values bound. We render each value
the way the DBSQL connector's inline escaper does (strings with `\\` and `\\'` escaped, `None` as
NULL) but keep every type exact: Decimals are never turned into floats, ints never go through
float, dates and timestamps become typed literals. The SQL text is never `%`-formatted, so a
literal `%` elsewhere in the statement survives.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
from collections.abc import Sequence
from typing import Any

from dbt_common.exceptions import DbtRuntimeError

_PLACEHOLDER = re.compile(r"%%|%s")


def render_bindings(sql: str, bindings: Sequence[Any] | None) -> str:
    """Replace each `%s` in `sql` with the literal of the next binding (`%%` means `%`)."""
    if not bindings:
        return sql
    values = iter(bindings)
    used = 0

    def substitute(match: re.Match[str]) -> str:
        nonlocal used
        if match.group(0) == "%%":
            return "%"
        try:
            value = next(values)
        except StopIteration:
            raise DbtRuntimeError(
                f"The statement has more %s placeholders than the {len(bindings)} bindings given"
            ) from None
        used += 1
        return sql_literal(value)

    rendered = _PLACEHOLDER.sub(substitute, sql)
    if used != len(bindings):
        raise DbtRuntimeError(
            f"The statement has {used} %s placeholders but {len(bindings)} bindings were given"
        )
    return rendered


def sql_literal(value: Any) -> str:
    """The Spark SQL literal that evaluates to exactly `value`."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_literal(value)
    if isinstance(value, decimal.Decimal):
        return _decimal_literal(value)
    if isinstance(value, datetime.datetime):
        return f"TIMESTAMP'{value.isoformat(sep=' ')}'"
    if isinstance(value, datetime.date):
        return f"DATE'{value.isoformat()}'"
    if isinstance(value, (bytes, bytearray)):
        return f"X'{bytes(value).hex()}'"
    return string_literal(str(value))


def string_literal(text: str) -> str:
    """A quoted Spark string literal.

    `\\` and `'` are backslash-escaped (doubling `''` makes Spark concatenate two literals and
    drop the quote). `$` is written as `\\u0024` so Spark's `${...}` variable substitution,
    which runs on the raw SQL text before parsing, can never rewrite data.
    """
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("$", "\\u0024")
    return f"'{escaped}'"


def _float_literal(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        return f"CAST('{value}' AS DOUBLE)"
    return f"{value!r}D"


def _decimal_literal(value: decimal.Decimal) -> str:
    if not value.is_finite():
        return f"CAST('{value}' AS DOUBLE)"
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return str(int(value))
    # Plain notation: Spark reads `1.50` as DECIMAL(3,2) but `1.5E+3` as a DOUBLE.
    return f"{value:f}BD"


def cast_text(value: Any) -> str | None:
    """The text Spark's CAST reads back as exactly `value` (seeds load through CAST)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, decimal.Decimal):
        return f"{value:f}" if value.is_finite() else str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
