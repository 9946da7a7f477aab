"""Literals for `%s` bindings: exact text, and exact values once Spark has evaluated them.

The round-trip tests run every literal through the shared local Spark session, so they check
what Spark really makes of the SQL, including its `${...}` variable substitution.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pytest
from dbt_common.exceptions import DbtRuntimeError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dbt.adapters.databricks_session.spark.literals import (
    cast_text,
    render_bindings,
    sql_literal,
    string_literal,
)

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
UTC = dt.timezone.utc

ROUND_TRIP = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TRICKY_TEXT = [
    "",
    "it's",
    "''",
    "\\'",
    'say "hi"',
    "back\\slash",
    "C:\\new\\table",
    "ends with \\",
    "\\\\",
    "\\u0024",
    "100%",
    "%s",
    "%%",
    "%(name)s",
    "line1\nline2",
    "tab\there",
    "cr\rlf\r\n",
    "nul\x00byte",
    "naïve café ß",
    "日本語テキスト",
    "emoji 🎉👍🏽 \U0001f600",
    "${env:HOME}",
    "${spark.app.name}",
    "${hiveconf:x}",
    "$",
    "$$",
    "{}",
    "what?",
    "? ?",
    ":name",
    "@p",
    "-- comment",
    "/* c */",
    "'; DROP TABLE x; --",
    "`backtick`",
]


def select_all(spark: Any, literals: list[str]) -> tuple[Any, ...]:
    """Evaluate the literals in one SELECT; returns the values in order."""
    columns = ", ".join(f"{literal} AS c{i}" for i, literal in enumerate(literals))
    return tuple(spark.sql(f"SELECT {columns}").collect()[0])


def select_types(spark: Any, literals: list[str]) -> list[str]:
    columns = ", ".join(f"{literal} AS c{i}" for i, literal in enumerate(literals))
    return [f.dataType.simpleString() for f in spark.sql(f"SELECT {columns}").schema.fields]


# -- render_bindings ---------------------------------------------------------------------------


def test_bindings_replace_placeholders_in_order() -> None:
    sql = "insert into t values (%s, %s, %s, %s)"
    assert render_bindings(sql, ["a", 1, None, True]) == "insert into t values ('a', 1, NULL, TRUE)"


@pytest.mark.parametrize("bindings", [None, [], ()])
def test_without_bindings_sql_is_untouched(bindings: Any) -> None:
    sql = "select '100%' as a, '%%' as b, '%s' as c, '%d' as d where x like 'a%'"
    assert render_bindings(sql, bindings) == sql


def test_percent_with_bindings() -> None:
    # A lone `%` survives; `%%` is an escaped `%`, as in every DB-API `%s` driver.
    sql = "select '100%' as a, %s as b, x like 'a%%' as c, '5 % 2' as d"
    rendered = render_bindings(sql, ["%s %% %"])
    assert rendered == "select '100%' as a, '%s %% %' as b, x like 'a%' as c, '5 % 2' as d"


def test_bound_text_is_never_rescanned_for_placeholders() -> None:
    assert render_bindings("select %s, %s", ["%s", "%%"]) == "select '%s', '%%'"


def test_other_percent_sequences_are_not_placeholders() -> None:
    sql = "select '%d %(x)s %i', %s"
    assert render_bindings(sql, [1]) == "select '%d %(x)s %i', 1"


def test_too_few_bindings_is_an_error() -> None:
    with pytest.raises(DbtRuntimeError, match="more %s placeholders than the 1 bindings"):
        render_bindings("select %s, %s", ["a"])


def test_too_many_bindings_is_an_error() -> None:
    with pytest.raises(DbtRuntimeError, match="1 %s placeholders but 2 bindings"):
        render_bindings("select %s", ["a", "b"])


def test_escaped_percent_is_not_a_placeholder_for_the_count() -> None:
    with pytest.raises(DbtRuntimeError, match="0 %s placeholders but 1 bindings"):
        render_bindings("select '%%s'", ["a"])


# -- sql_literal: the text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (None, "NULL"),
        (True, "TRUE"),
        (False, "FALSE"),
        (0, "0"),
        (-7, "-7"),
        (2**53 + 1, "9007199254740993"),
        (INT64_MAX, "9223372036854775807"),
        (INT64_MIN, "-9223372036854775808"),
        (Decimal("1.50"), "1.50BD"),
        (Decimal("-0.001"), "-0.001BD"),
        (Decimal("1E+3"), "1000"),
        (Decimal("42"), "42"),
        (Decimal("1.5E-7"), "0.00000015BD"),
        (dt.date(2024, 2, 29), "DATE'2024-02-29'"),
        (dt.datetime(2024, 2, 29, 1, 2, 3), "TIMESTAMP'2024-02-29 01:02:03'"),
        (dt.datetime(2024, 2, 29, 1, 2, 3, 4), "TIMESTAMP'2024-02-29 01:02:03.000004'"),
        (dt.datetime(2024, 1, 2, tzinfo=UTC), "TIMESTAMP'2024-01-02 00:00:00+00:00'"),
        (b"\x00\xffA", "X'00ff41'"),
        (bytearray(b"ab"), "X'6162'"),
        (1.5, "1.5D"),
        ("it's", "'it\\'s'"),
        ("a\\b", "'a\\\\b'"),
        ("${x}", "'\\u0024{x}'"),
    ],
)
def test_literal_text(value: Any, literal: str) -> None:
    assert sql_literal(value) == literal


def test_ints_never_go_through_float() -> None:
    for value in (2**53 + 1, 2**63 - 1, -(2**63) + 1, 10**37 + 1):
        assert float(value) != value  # a float would lose each of these
        assert sql_literal(value) == str(value)


def test_string_literal_escapes_only_what_it_must() -> None:
    assert string_literal("plain") == "'plain'"
    assert string_literal("") == "''"
    assert string_literal("a'b\\c$d") == "'a\\'b\\\\c\\u0024d'"
    # Quotes are never doubled: Spark reads 'a''b' as the concatenation 'ab'.
    assert "''" not in string_literal("a'b")


def test_other_objects_become_their_text() -> None:
    class Thing:
        def __str__(self) -> str:
            return "thing's"

    assert sql_literal(Thing()) == "'thing\\'s'"


# -- sql_literal: what Spark makes of it -------------------------------------------------------


def test_tricky_text_round_trips(spark: Any) -> None:
    assert select_all(spark, [sql_literal(text) for text in TRICKY_TEXT]) == tuple(TRICKY_TEXT)


def test_spark_variable_substitution_would_rewrite_raw_text(spark: Any) -> None:
    # The control: unescaped, Spark substitutes `${...}` before parsing. Our literals survive.
    raw = select_all(spark, ["'${spark.app.name}'", "'${env:HOME}'"])
    assert raw[0] != "${spark.app.name}"
    assert raw[1] != "${env:HOME}"
    ours = select_all(spark, [string_literal("${spark.app.name}"), string_literal("${env:HOME}")])
    assert ours == ("${spark.app.name}", "${env:HOME}")


def test_bindings_round_trip_in_one_statement(spark: Any) -> None:
    values = ["100%", "%s", None, 2**63 - 1, Decimal("1.10"), dt.date(2024, 1, 1), "a?:b"]
    sql = "SELECT '100%' AS lit, " + ", ".join(f"%s AS c{i}" for i in range(len(values)))
    row = spark.sql(render_bindings(sql, values)).collect()[0]
    assert tuple(row) == ("100%", *values)


def test_null_is_null(spark: Any) -> None:
    assert select_all(spark, [sql_literal(None)]) == (None,)


def test_booleans(spark: Any) -> None:
    assert select_all(spark, [sql_literal(True), sql_literal(False)]) == (True, False)


def test_int64_bounds_stay_bigint(spark: Any) -> None:
    values = [INT64_MIN, INT64_MIN + 1, -(2**53) - 1, 2**53 + 1, INT64_MAX - 1, INT64_MAX]
    literals = [sql_literal(v) for v in values]
    assert select_all(spark, literals) == tuple(values)
    assert select_types(spark, literals) == ["bigint"] * len(values)


def test_ints_beyond_int64_are_exact_decimals(spark: Any) -> None:
    values = [INT64_MAX + 1, INT64_MIN - 1, 10**38 - 1, -(10**38) + 1]
    result = select_all(spark, [sql_literal(v) for v in values])
    assert [int(v) for v in result] == values


def test_decimal_38_10_is_exact(spark: Any) -> None:
    values = [
        Decimal("1234567890123456789012345678.1234567890"),
        Decimal("-9999999999999999999999999999.9999999999"),
        Decimal("0.0000000001"),
        Decimal("0E-10"),
        Decimal("99999999999999999999999999999999999999"),
        Decimal("0.12345678901234567890123456789012345678"),
    ]
    literals = [sql_literal(v) for v in values]
    result = select_all(spark, literals)
    assert result == tuple(values)
    assert [str(v) for v in result[:2]] == [str(v) for v in values[:2]]  # scale kept too
    types = select_types(spark, literals)
    assert types[:2] == ["decimal(38,10)", "decimal(38,10)"]
    assert types[4:] == ["decimal(38,0)", "decimal(38,38)"]


def test_decimal_scale_is_kept(spark: Any) -> None:
    result = select_all(spark, [sql_literal(Decimal("1.50")), sql_literal(Decimal("-2.000"))])
    assert [str(v) for v in result] == ["1.50", "-2.000"]


def test_dates(spark: Any) -> None:
    values = [dt.date(1, 1, 1), dt.date(1582, 10, 10), dt.date(1970, 1, 1), dt.date(9999, 12, 31)]
    assert select_all(spark, [sql_literal(v) for v in values]) == tuple(values)


def test_naive_datetimes(spark: Any) -> None:
    values = [
        dt.datetime(99, 1, 1),
        dt.datetime(1582, 10, 10, 12, 0),
        dt.datetime(1970, 1, 1, 0, 0, 0, 1),
        dt.datetime(2024, 2, 29, 23, 59, 59, 999999),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
    ]
    assert select_all(spark, [sql_literal(v) for v in values]) == tuple(values)


def test_first_timestamp_of_year_one(spark: Any) -> None:
    # PySpark cannot hand 0001-01-01 00:00 to Python (datetime.fromtimestamp raises), so
    # check Spark's own text for it.
    literal = sql_literal(dt.datetime(1, 1, 1))
    value = select_all(spark, [f"CAST({literal} AS STRING)"])[0]
    assert value == "0001-01-01 00:00:00"


def test_tz_aware_datetimes_are_the_same_instant(spark: Any) -> None:
    values = [
        dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
        dt.datetime(2024, 7, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8))),
        dt.datetime(2024, 7, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=1, seconds=15))),
    ]
    result = select_all(spark, [sql_literal(v) for v in values])
    # PySpark returns naive timestamps in the Python process's local time zone.
    assert result == tuple(v.astimezone().replace(tzinfo=None) for v in values)


def test_bytes(spark: Any) -> None:
    values = [b"", b"\x00", bytes(range(256)), bytearray(b"'\\$")]
    assert select_all(spark, [sql_literal(v) for v in values]) == tuple(bytes(v) for v in values)


def test_floats(spark: Any) -> None:
    values = [0.1, -0.0, 1e300, -1e-300, 5e-324, 1.7976931348623157e308, 2.0**53 + 2]
    result = select_all(spark, [sql_literal(v) for v in values])
    assert result == tuple(values)
    assert math.copysign(1.0, result[1]) == -1.0
    assert select_types(spark, [sql_literal(v) for v in values]) == ["double"] * len(values)


def test_float_nan_and_infinities(spark: Any) -> None:
    nan, inf, ninf = select_all(
        spark, [sql_literal(math.nan), sql_literal(math.inf), sql_literal(-math.inf)]
    )
    assert math.isnan(nan)
    assert inf == math.inf and ninf == -math.inf


# -- property-based round trips ----------------------------------------------------------------

int64s = st.integers(min_value=INT64_MIN, max_value=INT64_MAX)


@st.composite
def decimals38(draw: st.DrawFn) -> Decimal:
    """Finite decimals whose plain notation has at most 38 digits (Spark's DECIMAL maximum)."""
    precision = draw(st.integers(min_value=1, max_value=38))
    scale = draw(st.integers(min_value=0, max_value=precision))
    unscaled = draw(st.integers(min_value=-(10**precision) + 1, max_value=10**precision - 1))
    return Decimal(unscaled).scaleb(-scale)


# Year 1 cannot reach Python through PySpark (see test_first_timestamp_of_year_one).
naive_datetimes = st.datetimes(min_value=dt.datetime(2, 1, 1), max_value=dt.datetime.max)
aware_datetimes = st.datetimes(
    min_value=dt.datetime(2, 1, 1),
    max_value=dt.datetime(9999, 12, 30),
    timezones=st.builds(
        dt.timezone,
        st.integers(min_value=-18 * 60, max_value=18 * 60).map(
            lambda minutes: dt.timedelta(minutes=minutes)
        ),
    ),
)


def batch(values: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    return st.lists(values, min_size=1, max_size=25)


@ROUND_TRIP
@given(batch(st.text()))
def test_text_round_trips(spark: Any, values: list[str]) -> None:
    assert select_all(spark, [sql_literal(v) for v in values]) == tuple(values)


@ROUND_TRIP
@given(batch(st.text(alphabet=st.sampled_from("'\"\\$%{}?:;\n\t\r\x00`-/*é🎉 ab"))))
def test_hostile_text_round_trips(spark: Any, values: list[str]) -> None:
    assert select_all(spark, [sql_literal(v) for v in values]) == tuple(values)


@ROUND_TRIP
@given(batch(int64s))
def test_int64_round_trips(spark: Any, values: list[int]) -> None:
    literals = [sql_literal(v) for v in values]
    assert select_all(spark, literals) == tuple(values)
    assert set(select_types(spark, literals)) <= {"int", "bigint"}


@ROUND_TRIP
@given(batch(decimals38()))
def test_decimal_round_trips(spark: Any, values: list[Decimal]) -> None:
    assert select_all(spark, [sql_literal(v) for v in values]) == tuple(values)


@ROUND_TRIP
@given(batch(st.dates()))
def test_date_round_trips(spark: Any, values: list[dt.date]) -> None:
    assert select_all(spark, [sql_literal(v) for v in values]) == tuple(values)


def _exists_in_local_time(value: dt.datetime) -> bool:
    """False for wall-clock times a DST change skips or repeats (never the case in UTC)."""
    return value.astimezone().replace(tzinfo=None) == value


@ROUND_TRIP
@given(batch(naive_datetimes))
def test_naive_datetime_round_trips(spark: Any, values: list[dt.datetime]) -> None:
    assume(all(_exists_in_local_time(v) for v in values))
    assert select_all(spark, [sql_literal(v) for v in values]) == tuple(values)


@ROUND_TRIP
@given(batch(aware_datetimes))
def test_aware_datetime_round_trips(spark: Any, values: list[dt.datetime]) -> None:
    local = [v.astimezone().replace(tzinfo=None) for v in values]
    assume(all(dt.datetime(2, 1, 1) <= v for v in local))
    assert select_all(spark, [sql_literal(v) for v in values]) == tuple(local)


@ROUND_TRIP
@given(batch(st.floats(allow_nan=False)))
def test_float_round_trips(spark: Any, values: list[float]) -> None:
    result = select_all(spark, [sql_literal(v) for v in values])
    assert result == tuple(values)
    assert [math.copysign(1, v) for v in result] == [math.copysign(1, v) for v in values]


@ROUND_TRIP
@given(batch(st.binary(max_size=64)))
def test_bytes_round_trips(spark: Any, values: list[bytes]) -> None:
    assert select_all(spark, [sql_literal(v) for v in values]) == tuple(values)


# -- cast_text: the text seeds are loaded from -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        (True, "true"),
        (False, "false"),
        (INT64_MIN, "-9223372036854775808"),
        (Decimal("9223372036854775807"), "9223372036854775807"),
        (Decimal("1E+3"), "1000"),
        (Decimal("1.5E-7"), "0.00000015"),
        (Decimal("-0.0000000001"), "-0.0000000001"),
        (dt.date(2024, 2, 29), "2024-02-29"),
        (dt.datetime(2024, 2, 29, 1, 2, 3, 4), "2024-02-29 01:02:03.000004"),
        ("it's \\ ${x} %s", "it's \\ ${x} %s"),
    ],
)
def test_cast_text(value: Any, text: str | None) -> None:
    assert cast_text(value) == text


def cast_all(spark: Any, values: list[Any], type_name: str) -> tuple[Any, ...]:
    texts = [cast_text(v) for v in values]
    literals = ["NULL" if t is None else string_literal(t) for t in texts]
    return select_all(spark, [f"CAST({literal} AS {type_name})" for literal in literals])


@ROUND_TRIP
@given(batch(st.one_of(st.none(), int64s)))
def test_cast_text_bigint_round_trips(spark: Any, values: list[int | None]) -> None:
    # Seeds hand numbers over as Decimals.
    decimals = [None if v is None else Decimal(v) for v in values]
    assert cast_all(spark, decimals, "bigint") == tuple(values)


@ROUND_TRIP
@given(
    batch(
        st.decimals(
            min_value=Decimal("-9999999999999999999999999999.9999999999"),
            max_value=Decimal("9999999999999999999999999999.9999999999"),
            places=10,
            allow_nan=False,
            allow_infinity=False,
        )
    )
)
def test_cast_text_decimal_38_10_round_trips(spark: Any, values: list[Decimal]) -> None:
    assert cast_all(spark, values, "decimal(38,10)") == tuple(values)


@ROUND_TRIP
@given(batch(st.dates()))
def test_cast_text_date_round_trips(spark: Any, values: list[dt.date]) -> None:
    assert cast_all(spark, values, "date") == tuple(values)


@ROUND_TRIP
@given(batch(naive_datetimes))
def test_cast_text_timestamp_round_trips(spark: Any, values: list[dt.datetime]) -> None:
    assume(all(_exists_in_local_time(v) for v in values))
    assert cast_all(spark, values, "timestamp") == tuple(values)


@ROUND_TRIP
@given(batch(st.floats()))
def test_cast_text_double_round_trips(spark: Any, values: list[float]) -> None:
    result = cast_all(spark, values, "double")
    assert [repr(v) for v in result] == [repr(v) for v in values]


@ROUND_TRIP
@given(batch(st.text()))
def test_cast_text_string_round_trips(spark: Any, values: list[str]) -> None:
    assert cast_all(spark, values, "string") == tuple(values)
